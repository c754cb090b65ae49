// The sandboxed preload must be one self-contained file that requires nothing but 'electron' and
// carries no zod (channels.ts only `import type`s the contract). Builds it in memory with the
// options scripts/build.mjs uses and inspects what went in and what came out.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));

describe('preload bundle', () => {
  it('contains only the preload and the channel list, and requires only electron', async () => {
    const r = await build({
      absWorkingDir: repo,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      entryPoints: ['electron/preload/index.ts'],
      outfile: 'dist/electron/preload.cjs',
      external: ['electron'],
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(r.metafile.inputs).sort();
    expect(inputs).toEqual(['app/contract/channels.ts', 'electron/preload/bridge.ts', 'electron/preload/index.ts']);
    const text = r.outputFiles[0]?.text ?? '';
    expect(text).not.toMatch(/zod/i);
    const required = [...text.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
    expect(required).toEqual(['electron']);
    expect(text).not.toMatch(/\bimport\s*\(/);
    expect(text).toContain('exposeInMainWorld("vllmPanel"');
  });
});
