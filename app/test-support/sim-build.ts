import { statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';

const ROOT = join(__dirname, '..', '..');
export const SIM_BUNDLE = join(ROOT, 'dist', 'sim.js');

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith('.ts')) newest = Math.max(newest, statSync(join(e.parentPath ?? dir, e.name)).mtimeMs);
  }
  return newest;
}

/**
 * Makes sure dist/sim.js (the bundled simulator the panel detects as its "Simulator (no GPU)"
 * runtime) is at least as new as the sources it is built from, so integration tests never run a
 * stale simulator. Same options as scripts/build.mjs.
 */
export async function ensureSimBuilt(): Promise<string> {
  let built = 0;
  try {
    built = statSync(SIM_BUNDLE).mtimeMs;
  } catch {
    built = 0;
  }
  const src = Math.max(
    await newestMtime(join(ROOT, 'sim')),
    await newestMtime(join(ROOT, 'app', 'launch')),
    await newestMtime(join(ROOT, 'app', 'contract')),
  );
  if (built < src) {
    await build({
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      packages: 'external',
      sourcemap: true,
      logLevel: 'warning',
      entryPoints: [join(ROOT, 'sim', 'main.ts')],
      outfile: SIM_BUNDLE,
    });
  }
  return SIM_BUNDLE;
}
