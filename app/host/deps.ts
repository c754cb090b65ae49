import { homedir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export interface RunResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Set when the program could not be started at all (ENOENT, EACCES). */
  spawnError?: string;
  timedOut: boolean;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  timeoutMs?: number;
  /** Cap on captured output per stream (bytes); protects against a runaway child. */
  maxBuffer?: number;
}

/** Runs a short-lived program with an argv array (never a shell) and captures its output. */
export type RunCommand = (file: string, args: readonly string[], opts?: RunOptions) => Promise<RunResult>;

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface CorePaths {
  /** settings.json, profiles/ */
  configDir: string;
  /** logs, chats, bench results, pidfiles */
  dataDir: string;
  /** parsed `--help=all` per vLLM version, etc. */
  cacheDir: string;
  /** Where the user launched the panel (`.venv` detection starts here). */
  cwd: string;
}

/** Everything the core touches in the outside world, injected so tests can run it with fakes. */
export interface CoreDeps {
  shell: 'electron' | 'web' | 'cli' | 'test';
  version: string;
  paths: CorePaths;
  env: Record<string, string | undefined>;
  clock: Clock;
  run: RunCommand;
  fetch: typeof fetch;
  platform: NodeJS.Platform;
  /** Where secrets (chat API keys) are kept. The Electron shell passes one backed by safeStorage; absent → in memory for the session. */
  secrets?: SecretStore;
}

/** A small secret store (the chat's API key). Values never go into settings files in plain text. */
export interface SecretStore {
  /** os-keychain: encrypted at rest with the OS keychain (Electron safeStorage); session-memory: gone when the panel exits. */
  readonly kind: 'os-keychain' | 'session-memory';
  get(name: string): Promise<string | undefined>;
  set(name: string, value: string): Promise<void>;
  delete(name: string): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};

export const execaRun: RunCommand = async (file, args, opts = {}) => {
  try {
    const r = await execa(file, [...args], {
      env: opts.env,
      extendEnv: opts.env === undefined,
      cwd: opts.cwd,
      timeout: opts.timeoutMs ?? 15_000,
      maxBuffer: opts.maxBuffer ?? 16 * 1024 * 1024,
      reject: false,
      stdin: 'ignore',
      shell: false,
    });
    const spawnError = r.failed && r.exitCode === undefined && !r.timedOut ? r.shortMessage || r.message : undefined;
    return {
      exitCode: r.exitCode ?? null,
      stdout: typeof r.stdout === 'string' ? r.stdout : '',
      stderr: typeof r.stderr === 'string' ? r.stderr : '',
      timedOut: Boolean(r.timedOut),
      ...(spawnError ? { spawnError } : {}),
    };
  } catch (err) {
    return { exitCode: null, stdout: '', stderr: '', timedOut: false, spawnError: (err as Error).message };
  }
};

/** XDG-style locations (Electron passes its own app.getPath('userData')). */
export function defaultPaths(env: Record<string, string | undefined> = process.env, platform = process.platform): CorePaths {
  const home = homedir();
  const base =
    env.VLLM_PANEL_HOME ??
    (platform === 'darwin'
      ? join(home, 'Library', 'Application Support', 'vllm-panel')
      : platform === 'win32'
        ? join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'vllm-panel')
        : join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'vllm-panel'));
  const data =
    env.VLLM_PANEL_HOME ?? (platform === 'linux' ? join(env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'vllm-panel') : base);
  const cache = env.VLLM_PANEL_HOME
    ? join(env.VLLM_PANEL_HOME, 'cache')
    : platform === 'linux'
      ? join(env.XDG_CACHE_HOME ?? join(home, '.cache'), 'vllm-panel')
      : join(base, 'cache');
  return { configDir: base, dataDir: data, cacheDir: cache, cwd: process.cwd() };
}

export function defaultDeps(overrides: Partial<CoreDeps> & Pick<CoreDeps, 'shell' | 'version'>): CoreDeps {
  return {
    paths: defaultPaths(),
    env: process.env,
    clock: realClock,
    run: execaRun,
    fetch: globalThis.fetch,
    platform: process.platform,
    ...overrides,
  };
}
