// Runs the simulator as a real process tree for tests and the benchmark: its own process group
// (detached), stdout/stderr captured, helpers to wait for log text / readiness and to kill the
// whole group. The current TypeScript source is bundled once per test process with esbuild
// (node_modules/.cache, removed on exit): on the shared 2-core machine a bundled start costs
// ~0.3 s of CPU against ~1 s through `--import tsx` (VLLM_SIM_TEST_TSX=1 uses tsx instead).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ANSI = /\x1b\[[0-9;]*m/g;

export function stripAnsi(s: string): string {
  return s.replace(ANSI, '');
}

let bundled: Promise<string> | undefined;
let swept = false;

/**
 * Removes bundles and cache dirs left by earlier test processes that are gone (test runners may
 * kill their workers before 'exit' handlers run). Files are keyed by the owner's pid.
 */
function sweep(bundleDir: string): void {
  if (swept) return;
  swept = true;
  const gone = (name: string, re: RegExp) => {
    const m = re.exec(name);
    return m !== null && Number(m[1]) !== process.pid && !isAlive(Number(m[1]));
  };
  try {
    for (const f of readdirSync(bundleDir)) if (gone(f, /^sim-(\d+)\.mjs$/)) rmSync(join(bundleDir, f), { force: true });
    for (const d of readdirSync(tmpdir()))
      if (gone(d, /^vllm-sim-cache-(\d+)$/)) rmSync(join(tmpdir(), d), { recursive: true, force: true });
  } catch {
    // Best effort.
  }
}

/** argv (after the node binary) that runs the simulator from the current source. */
export async function simEntry(): Promise<string[]> {
  if (process.env.VLLM_SIM_ENTRY) return [process.env.VLLM_SIM_ENTRY]; // a prebuilt bundle (dist/sim.js)
  if (process.env.VLLM_SIM_TEST_TSX === '1') return ['--import', 'tsx', join(REPO_ROOT, 'sim', 'main.ts')];
  bundled ??= (async () => {
    const { build } = await import('esbuild');
    const dir = join(REPO_ROOT, 'node_modules', '.cache', 'vllm-sim-test');
    mkdirSync(dir, { recursive: true });
    sweep(dir);
    const out = join(dir, `sim-${process.pid}.mjs`);
    await build({
      entryPoints: [join(REPO_ROOT, 'sim', 'main.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      outfile: out,
      logLevel: 'error',
    });
    process.once('exit', () => rmSync(out, { force: true }));
    return out;
  })();
  return [await bundled];
}

let cacheRoot: string | undefined;
/** A private VLLM_CACHE_ROOT per test process (the sim keeps its compile-cache markers there). */
export function testCacheRoot(): string {
  if (!cacheRoot) {
    cacheRoot = join(tmpdir(), `vllm-sim-cache-${process.pid}`);
    const dir = cacheRoot;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return cacheRoot;
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 25): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export interface SimRun {
  child: ChildProcess;
  pid: number;
  port: number;
  baseUrl: string;
  stdout: () => string;
  stderr: () => string;
  /** stdout and stderr in arrival order. */
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exitInfo: () => { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** Waits until the combined output matches. */
  waitFor: (pattern: RegExp | string, timeoutMs?: number) => Promise<boolean>;
  /** Waits for GET /health = 200. */
  waitReady: (timeoutMs?: number) => Promise<boolean>;
  /** Signals the whole process group (ignores "already gone"). */
  killGroup: (signal?: NodeJS.Signals) => void;
  /** Pids from the log prefixes: `(EngineCore_DP0 pid=N)` → N. */
  pidsOf: (name: RegExp) => number[];
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  port?: number;
  /** Adds `--port <port>` unless the args already have one (default true). */
  addPort?: boolean;
}

/** Starts `vllm-sim <args>` (args include the subcommand, e.g. ['serve', 'model', …]). */
export async function startSim(args: readonly string[], opts: StartOptions = {}): Promise<SimRun> {
  const port = opts.port ?? (await freePort());
  const argv = [...args];
  if (argv[0] === 'serve' && opts.addPort !== false && !argv.includes('--port')) argv.push('--port', String(port));
  const child = spawn(process.execPath, [...(await simEntry()), ...argv], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, VLLM_SIM_SPEED: '50', NO_COLOR: '', VLLM_CACHE_ROOT: testCacheRoot(), ...opts.env },
  });
  let out = '';
  let err = '';
  let all = '';
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => {
    out += d;
    all += d;
  });
  child.stderr!.on('data', (d: string) => {
    err += d;
    all += d;
  });
  let info: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      info = { code, signal };
      resolve(info);
    });
  });
  const pid = child.pid!;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    child,
    pid,
    port,
    baseUrl,
    stdout: () => out,
    stderr: () => err,
    output: () => all,
    exited,
    exitInfo: () => info,
    waitFor: (pattern, timeoutMs = 15_000) =>
      waitUntil(() => (typeof pattern === 'string' ? stripAnsi(all).includes(pattern) : pattern.test(stripAnsi(all))), timeoutMs),
    waitReady: (timeoutMs = 15_000) =>
      waitUntil(
        async () => {
          if (info) return false;
          try {
            const r = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(1000) });
            return r.status === 200;
          } catch {
            return false;
          }
        },
        timeoutMs,
        50,
      ),
    killGroup: (signal = 'SIGKILL') => {
      try {
        process.kill(-pid, signal);
      } catch {
        // Already gone.
      }
    },
    pidsOf: (name) => {
      const re = new RegExp(`\\((${name.source}) pid=(\\d+)\\)`, 'g');
      const pids = new Set<number>();
      for (const m of stripAnsi(all).matchAll(re)) pids.add(Number(m[m.length - 1]));
      return [...pids];
    },
  };
}

/** Runs a short-lived sim command to completion (CLI errors, help, failures). */
export async function runSim(args: readonly string[], opts: StartOptions & { timeoutMs?: number } = {}) {
  const run = await startSim(args, opts);
  const timer = setTimeout(() => run.killGroup('SIGKILL'), opts.timeoutMs ?? 20_000);
  const r = await run.exited;
  clearTimeout(timer);
  return { ...r, stdout: run.stdout(), stderr: run.stderr(), output: run.output(), run };
}
