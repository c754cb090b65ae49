// Finds the Electron executable without ever downloading it. `require('electron')` (what
// Playwright and the `electron` CLI do by default) starts a download when the binary is missing,
// which build machines cannot do; this mirrors node_modules/electron/index.js minus that step.
// Used by the electron e2e project and by scripts that decide whether the desktop app can start.
//   node scripts/electron-binary.mjs   → prints the path (exit 0) or why there is none (exit 1)
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** The executable's path inside the electron package's dist/ for a platform (install.js's table). */
export function platformExecutable(platform) {
  if (platform === 'darwin' || platform === 'mas') return 'Electron.app/Contents/MacOS/Electron';
  if (platform === 'win32') return 'electron.exe';
  return 'electron';
}

/**
 * @param {{ root?: string, env?: Record<string, string | undefined>, platform?: string,
 *           exists?: (p: string) => boolean, read?: (p: string) => string }} [opts]
 * @returns {{ path: string } | { path: undefined, reason: string }}
 */
export function findElectronBinary(opts = {}) {
  const { root = repoRoot, env = process.env, platform = process.platform, exists = existsSync } = opts;
  const read = opts.read ?? ((p) => readFileSync(p, 'utf8'));
  const pkgDir = join(root, 'node_modules', 'electron');
  if (!exists(join(pkgDir, 'package.json'))) {
    return { path: undefined, reason: 'the electron package is not installed (run npm ci)' };
  }
  let recorded;
  try {
    recorded = read(join(pkgDir, 'path.txt')).trim() || undefined;
  } catch {
    recorded = undefined;
  }
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  const candidate = override
    ? join(override, recorded ?? platformExecutable(platform))
    : join(pkgDir, 'dist', recorded ?? platformExecutable(platform));
  if (exists(candidate)) return { path: candidate };
  return {
    path: undefined,
    reason: override
      ? `ELECTRON_OVERRIDE_DIST_PATH is set but ${candidate} does not exist`
      : `the Electron binary was never downloaded (${candidate} is missing; \`node node_modules/electron/install.js\` fetches it where the network allows)`,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const found = findElectronBinary();
  if (found.path) {
    console.log(found.path);
  } else {
    console.error(`electron-binary: ${found.reason}`);
    process.exit(1);
  }
}
