// Builds every runtime bundle: the CLI (+ web shell + core), the simulator, the Electron main and
// preload, and the renderer (Vite). `node scripts/build.mjs [--no-renderer]`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { build } from 'esbuild';

const skipRenderer = process.argv.includes('--no-renderer');
mkdirSync('dist', { recursive: true });

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  // Runtime npm deps stay external: they are installed next to the package.
  packages: 'external',
};

const jobs = [build({ ...node, format: 'esm', entryPoints: ['app/cli/bin.ts'], outfile: 'dist/cli.js' })];
if (existsSync('sim/main.ts')) {
  jobs.push(build({ ...node, format: 'esm', entryPoints: ['sim/main.ts'], outfile: 'dist/sim.js' }));
}
if (existsSync('electron/main/index.ts')) {
  jobs.push(
    build({ ...node, format: 'esm', entryPoints: ['electron/main/index.ts'], outfile: 'dist/electron/main.js' }),
    // The preload runs sandboxed: one self-contained CommonJS file, only `electron` external.
    build({
      ...node,
      format: 'cjs',
      entryPoints: ['electron/preload/index.ts'],
      outfile: 'dist/electron/preload.cjs',
      external: ['electron'],
      packages: undefined,
    }),
  );
}
await Promise.all(jobs);
if (!skipRenderer) {
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'], {
    stdio: 'inherit',
  });
}
console.log('build: done');
