// `npm start`: build, then open the desktop app. Where Electron cannot start (no display, no
// binary — it is never downloaded from here), say why in one line and serve the same UI with the
// web shell instead, printing its URL. Extra arguments go to the web shell:
//   npm start -- --port 9000
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findElectronBinary } from './electron-binary.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));
// An Electron that dies this soon after launch never showed a window (missing system libraries,
// a broken GPU stack): fall back to the web shell rather than leave the user with nothing.
export const EARLY_EXIT_MS = 5_000;

/**
 * Why the desktop app cannot start here, or undefined when it can.
 * @param {{ platform?: string, env?: Record<string, string | undefined>, root?: string,
 *           exists?: (p: string) => boolean,
 *           findBinary?: () => ({ path: string } | { path: undefined, reason: string }) }} [opts]
 * @returns {{ reason: string } | { reason: undefined, binary: string }}
 */
export function desktopAvailability(opts = {}) {
  const { platform = process.platform, env = process.env, root = repo, exists = existsSync } = opts;
  const findBinary = opts.findBinary ?? (() => findElectronBinary({ root, env, platform }));
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return { reason: 'no display (DISPLAY and WAYLAND_DISPLAY are unset)' };
  }
  const binary = findBinary();
  if (!binary.path) return { reason: binary.reason };
  if (!exists(join(root, 'dist', 'electron', 'main.js')))
    return { reason: 'the desktop app was not built (dist/electron/main.js is missing)' };
  return { reason: undefined, binary: binary.path };
}

let child;
let stopping = false;

function forward(signal) {
  stopping = true;
  if (child && child.exitCode === null && child.signalCode === null) child.kill(signal);
  else process.exit(130);
}

/**
 * Runs a child in its own process group (POSIX) so a terminal Ctrl-C reaches only us and we pass
 * it on exactly once: a second SIGINT would cut the web shell's cleanup (stopping vLLM) short.
 */
function run(file, args) {
  const c = spawn(file, args, { cwd: repo, stdio: ['ignore', 'inherit', 'inherit'], detached: process.platform !== 'win32' });
  child = c;
  return c;
}

function startWeb(extraArgs) {
  const c = run(process.execPath, [join(repo, 'dist', 'cli.js'), 'web', ...extraArgs]);
  c.once('error', (err) => {
    console.error(`npm start: could not start the web shell: ${err.message}`);
    process.exit(1);
  });
  c.once('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
}

function startDesktop(binary, extraArgs) {
  // Chromium will not start as root with its OS sandbox (containers); the renderer stays
  // sandboxed by Electron's own settings.
  const args = [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), repo];
  const launchedAt = Date.now();
  const c = run(binary, args);
  c.once('error', (err) => {
    console.log(`npm start: the desktop app could not start (${err.message}); starting the web shell instead.`);
    startWeb(extraArgs);
  });
  c.once('exit', (code, signal) => {
    const early = Date.now() - launchedAt < EARLY_EXIT_MS;
    if (!stopping && early && (signal || (code !== null && code !== 0))) {
      console.log(`npm start: the desktop app exited right after starting (${signal ?? `exit ${code}`}); starting the web shell instead.`);
      startWeb(extraArgs);
      return;
    }
    process.exit(code ?? 0);
  });
}

async function main() {
  const extraArgs = process.argv.slice(2);
  const build = spawnSync(process.execPath, [join(repo, 'scripts', 'build.mjs')], { cwd: repo, stdio: 'inherit', timeout: 5 * 60_000 });
  if (build.status !== 0) {
    console.error('npm start: the build failed (see above).');
    process.exit(build.status ?? 1);
  }
  process.on('SIGINT', () => forward('SIGINT'));
  process.on('SIGTERM', () => forward('SIGTERM'));

  const desktop = desktopAvailability();
  if (desktop.reason) {
    console.log(`npm start: cannot open the desktop app: ${desktop.reason}; starting the web shell instead.`);
    startWeb(extraArgs);
  } else {
    startDesktop(desktop.binary, extraArgs);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
