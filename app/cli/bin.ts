// Entry point of the `vllm-panel` executable (bundled to dist/cli.js).
import { runCli } from './main';

let stdoutClosed = false;
const interrupted = new Promise<'SIGINT' | 'SIGTERM'>((resolve) => {
  process.once('SIGINT', () => resolve('SIGINT'));
  process.once('SIGTERM', () => resolve('SIGTERM'));
  process.once('SIGHUP', () => resolve('SIGTERM'));
  // `vllm-panel run … | head -3`: the reader went away. Treat it like Ctrl-C so a running
  // server is stopped (not orphaned) instead of dying on EPIPE.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') {
      stdoutClosed = true;
      resolve('SIGTERM');
    }
  });
});

runCli(process.argv.slice(2), {
  out: (t) => {
    if (!stdoutClosed) process.stdout.write(`${t}\n`);
  },
  err: (t) => process.stderr.write(`${t}\n`),
  env: process.env,
  interrupted,
}).then(
  (code) => {
    process.exitCode = code;
    // Long-running commands (web, run) resolve only when stopped; give stdout a tick to drain.
    setImmediate(() => process.exit(code));
  },
  (err) => {
    process.stderr.write(`vllm-panel: ${(err as Error)?.stack ?? err}\n`);
    process.exit(1);
  },
);
