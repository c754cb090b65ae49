import { defineConfig } from 'vite';

// Builds the renderer into dist/renderer, loaded by Electron from file:// and served by the web
// shell over HTTP. `base: './'` keeps asset URLs relative so both work. Vite 8 transforms TSX
// with Oxc; no React plugin is needed (no fast refresh: there is no dev server in our flow).
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    // Electron 45 ships Chromium 140; the web shell targets current browsers.
    target: 'es2022',
    sourcemap: true,
    // No inline data: URLs for assets, so the CSP needs nothing beyond 'self'.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 800,
  },
});
