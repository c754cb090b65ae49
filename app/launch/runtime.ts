// vLLM runtime detection: find `vllm` where users install it (PATH, ./.venv, ./venv, virtualenvs the
// user names, conda envs, a custom command) plus the bundled simulator; read each one's version;
// read its real flag list from `vllm serve --help=all` (cached per version) with the built-in
// catalog as the fallback. Every external program runs through deps.run (argv, timeouts, no shell).
import { constants } from 'node:fs';
import { access, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { FlagSpecSchema } from '../contract/launch';
import type { CoreDeps } from '../host/deps';
import { loadJson, saveJson } from '../store/json-file';
import { type Catalog, getCatalog, parseVersion } from './catalog';
import { parseHelpAll } from './help-parser';
import type { FlagSpec } from './types';

export type RuntimeKind = 'path' | 'venv' | 'conda' | 'custom' | 'sim';

export interface VllmRuntime {
  id: string;
  kind: RuntimeKind;
  label: string;
  /** Program and leading args; `serve MODEL …` is appended. */
  argv: string[];
  venvDir?: string;
  version?: string;
  error?: string;
  /** Extra env needed to run argv (ELECTRON_RUN_AS_NODE for the simulator under Electron). */
  env?: Record<string, string>;
}

export type RuntimeDeps = Pick<CoreDeps, 'run' | 'env' | 'paths'>;

export interface DetectOptions {
  cwd: string;
  extraVenvs?: string[];
  customCommand?: string[];
  /** Simulator entry (dist/sim.js); default: found next to this package. null = leave the simulator out. */
  simEntry?: string | null;
  /** Home directory for conda locations (tests). */
  home?: string;
}

/** `vllm --version` imports torch: slow on a cold disk, but 30 s is plenty (and bounds a hung binary). */
const VERSION_TIMEOUT_MS = 30_000;
/** `--help=all` builds every config class; give it 2 minutes. */
const HELP_TIMEOUT_MS = 120_000;
const VERSION_RE = /(?:^|\s|v)(\d+\.\d+(?:\.\d+)?(?:(?:rc|a|b|\.dev|\.post|dev|post)\d*)*(?:\.dev\d+)?(?:\+[\w.]+)?)\s*$/;

async function isExecutable(p: string): Promise<boolean> {
  try {
    const s = await stat(p);
    if (!s.isFile()) return false;
    await access(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

async function realOrSelf(p: string): Promise<string> {
  try {
    return await realpath(p);
  } catch {
    return p;
  }
}

/** Env for running inside a virtualenv/conda env: its bin first on PATH, VIRTUAL_ENV set, PYTHONHOME dropped. */
export function venvEnv(
  venvDir: string,
  baseEnv: Record<string, string | undefined>,
  kind: 'venv' | 'conda' = 'venv',
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...baseEnv };
  const bin = join(venvDir, 'bin');
  env.PATH = env.PATH ? `${bin}${delimiter}${env.PATH}` : bin;
  // A PYTHONHOME from the parent would make the env's python load the wrong stdlib.
  delete env.PYTHONHOME;
  if (kind === 'conda') {
    env.CONDA_PREFIX = venvDir;
    env.CONDA_DEFAULT_ENV = basename(venvDir);
  } else {
    env.VIRTUAL_ENV = venvDir;
  }
  return env;
}

/** Extracts "0.13.0" from `vllm --version` output (last matching line; warnings may come first). */
export function parseVersionOutput(stdout: string): string | undefined {
  const lines = stdout
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .reverse();
  for (const l of lines) {
    const m = VERSION_RE.exec(l);
    if (m && parseVersion(m[1] as string)) return m[1] as string;
  }
  return undefined;
}

/**
 * Locates dist/sim.js by walking up from this module to the package root (the source file is
 * app/launch/runtime.ts, the bundles are dist/cli.js and dist/electron/main.js).
 */
export async function findSimEntry(from: string = dirname(fileURLToPath(import.meta.url))): Promise<string | undefined> {
  let dir = from;
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name?: unknown };
      if (pkg.name === 'vllm-panel') return join(dir, 'dist', 'sim.js');
    } catch {
      // Not the package root: go up.
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

function simRuntime(entry: string | undefined, exists: boolean): VllmRuntime {
  const electron = typeof process.versions.electron === 'string';
  const rt: VllmRuntime = {
    id: 'sim',
    kind: 'sim',
    label: 'Simulator (no GPU)',
    argv: [process.execPath, entry ?? 'dist/sim.js'],
    // Under Electron, process.execPath is the Electron binary: make it behave as plain Node.
    ...(electron ? { env: { ELECTRON_RUN_AS_NODE: '1' } } : {}),
  };
  if (!entry || !exists) rt.error = `The simulator is not built (${entry ?? 'dist/sim.js'} is missing). Run \`npm run build\`.`;
  return rt;
}

function expandHome(p: string, home: string): string {
  return p === '~' ? home : p.startsWith('~/') ? join(home, p.slice(2)) : p;
}

/** A user-given env folder, its bin/ folder, or its bin/vllm → the env folder. */
function envDirOf(p: string): string {
  const clean = p.replace(/\/+$/, '');
  if (clean.endsWith('/bin/vllm')) return clean.slice(0, -'/bin/vllm'.length);
  if (clean.endsWith('/bin')) return clean.slice(0, -'/bin'.length);
  return clean;
}

async function condaCandidates(env: Record<string, string | undefined>, home: string): Promise<string[]> {
  const out: string[] = [];
  if (env.CONDA_PREFIX) out.push(env.CONDA_PREFIX);
  for (const root of ['miniconda3', 'anaconda3', 'miniforge3', 'mambaforge', '.conda']) {
    const base = join(home, root);
    if (root !== '.conda') out.push(base); // the base env itself
    const envs = join(base, 'envs');
    try {
      for (const name of (await readdir(envs)).sort()) out.push(join(envs, name));
    } catch {
      // No such conda installation.
    }
  }
  return out;
}

/**
 * Finds vLLM installations and the simulator, and reads each version. Never throws; problems are
 * reported in each runtime's `error`. Order: venvs in the project, PATH, user venvs, conda,
 * custom, simulator. The same executable found twice is listed once (the venv entry wins).
 */
export async function detectRuntimes(deps: RuntimeDeps, opts: DetectOptions): Promise<VllmRuntime[]> {
  const home = opts.home ?? homedir();
  const found: VllmRuntime[] = [];
  const seenReal = new Set<string>();
  const add = async (rt: VllmRuntime, exe?: string) => {
    if (exe) {
      const real = await realOrSelf(exe);
      if (seenReal.has(real)) return;
      seenReal.add(real);
    }
    found.push(rt);
  };

  for (const name of ['.venv', 'venv']) {
    const dir = resolve(opts.cwd, name);
    const exe = join(dir, 'bin', 'vllm');
    if (await isExecutable(exe)) await add({ id: `venv:${dir}`, kind: 'venv', label: `${name} (project)`, argv: [exe], venvDir: dir }, exe);
  }

  for (const p of (deps.env.PATH ?? '').split(delimiter)) {
    if (!p || !isAbsolute(p)) continue; // relative PATH entries depend on the cwd: skip them
    const exe = join(p, 'vllm');
    if (await isExecutable(exe)) {
      // An activated venv puts its bin on PATH: report it as that venv.
      const envDir = dirname(p);
      const isVenv = await isExecutable(join(p, 'python')).then(async (py) => py && (await isDir(join(envDir, 'lib'))));
      await add(
        isVenv
          ? { id: `venv:${envDir}`, kind: 'venv', label: `vllm on PATH (${envDir})`, argv: [exe], venvDir: envDir }
          : { id: `path:${exe}`, kind: 'path', label: `vllm on PATH (${exe})`, argv: [exe] },
        exe,
      );
      break; // the first one on PATH is the one a shell would run
    }
  }

  for (const given of opts.extraVenvs ?? []) {
    const dir = resolve(opts.cwd, envDirOf(expandHome(given, home)));
    const exe = join(dir, 'bin', 'vllm');
    if (await isExecutable(exe)) await add({ id: `venv:${dir}`, kind: 'venv', label: `venv ${dir}`, argv: [exe], venvDir: dir }, exe);
    else
      found.push({
        id: `venv:${dir}`,
        kind: 'venv',
        label: `venv ${dir}`,
        argv: [exe],
        venvDir: dir,
        error: `No executable bin/vllm in ${dir}.`,
      });
  }

  for (const dir of await condaCandidates(deps.env, home)) {
    const exe = join(dir, 'bin', 'vllm');
    if (await isExecutable(exe)) {
      const label = dir === deps.env.CONDA_PREFIX ? `conda env ${basename(dir)} (active)` : `conda env ${basename(dir)}`;
      await add({ id: `conda:${dir}`, kind: 'conda', label, argv: [exe], venvDir: dir }, exe);
    }
  }

  if (opts.customCommand && opts.customCommand.length > 0) {
    found.push({ id: 'custom', kind: 'custom', label: `Custom: ${opts.customCommand.join(' ')}`, argv: [...opts.customCommand] });
  }

  if (opts.simEntry !== null) {
    const entry = opts.simEntry ?? (await findSimEntry());
    found.push(simRuntime(entry, entry !== undefined && (await isExecutableOrFile(entry))));
  }

  await Promise.all(found.map((rt) => (rt.error ? Promise.resolve() : readRuntimeVersion(deps, rt))));
  return found;
}

async function isExecutableOrFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

/** Env to run a runtime's programs with (venv activation + the runtime's own env). */
export function runtimeEnv(rt: VllmRuntime, baseEnv: Record<string, string | undefined>): Record<string, string | undefined> {
  const env = rt.venvDir ? venvEnv(rt.venvDir, baseEnv, rt.kind === 'conda' ? 'conda' : 'venv') : { ...baseEnv };
  return { ...env, ...(rt.env ?? {}) };
}

/** Sets rt.version (or rt.error): `<argv> --version`, then `python -c 'import vllm; …'` for envs. */
export async function readRuntimeVersion(deps: RuntimeDeps, rt: VllmRuntime): Promise<void> {
  const env = runtimeEnv(rt, deps.env);
  const [file, ...rest] = rt.argv as [string, ...string[]];
  const r = await deps.run(file, [...rest, '--version'], { env, timeoutMs: VERSION_TIMEOUT_MS, maxBuffer: 1024 * 1024 });
  const v = r.exitCode === 0 ? parseVersionOutput(r.stdout) : undefined;
  if (v) {
    rt.version = v;
    return;
  }
  let reason = r.spawnError
    ? `could not start ${file}: ${r.spawnError}`
    : r.timedOut
      ? `\`${basename(file)} --version\` did not answer within ${VERSION_TIMEOUT_MS / 1000} s`
      : r.exitCode === 0
        ? `\`${basename(file)} --version\` printed no version number: ${lastLine(r.stdout || r.stderr)}`
        : `\`${basename(file)} --version\` failed (exit ${r.exitCode ?? 'signal'}): ${lastLine(r.stderr || r.stdout)}`;
  if (rt.venvDir) {
    const py = join(rt.venvDir, 'bin', 'python');
    const p = await deps.run(py, ['-c', 'import vllm; print(vllm.__version__)'], {
      env,
      timeoutMs: VERSION_TIMEOUT_MS,
      maxBuffer: 1024 * 1024,
    });
    const pv = p.exitCode === 0 ? parseVersionOutput(p.stdout) : undefined;
    if (pv) {
      rt.version = pv;
      return;
    }
    reason += `; python -c 'import vllm' also failed: ${lastLine(p.stderr || p.stdout || p.spawnError || '')}`;
  }
  rt.error = reason;
}

function lastLine(s: string): string {
  const lines = s.split(/\r?\n/).filter((l) => l.trim() !== '');
  return (lines[lines.length - 1] ?? '(no output)').slice(0, 300);
}

// ---------------------------------------------------------------------------------------------
// Flag list of a runtime

const HELP_CACHE_SCHEMA = 1;
const HelpCacheFile = z.object({
  schema: z.literal(HELP_CACHE_SCHEMA),
  version: z.string(),
  runtimeKind: z.string(),
  createdAt: z.number(),
  flags: z.array(FlagSpecSchema).min(1),
});

function cacheFileName(rt: VllmRuntime, version: string): string {
  // The simulator's help is built from our own catalog: never let it stand in for a real vLLM.
  const prefix = rt.kind === 'sim' ? 'sim' : 'vllm';
  return `${prefix}-${version.replace(/[^A-Za-z0-9._+-]/g, '_')}.json`;
}

export function helpCachePath(cacheDir: string, rt: VllmRuntime, version: string): string {
  return join(cacheDir, 'vllm-help', cacheFileName(rt, version));
}

export interface RuntimeFlags {
  catalog: Catalog;
  /** help = ran --help=all now; cache = parsed earlier for this version; builtin = fallback. */
  origin: 'help' | 'cache' | 'builtin';
  note?: string;
}

/** Fewer flags than this means we did not get a real help text (an error page, a wrapper's help). */
const MIN_HELP_FLAGS = 10;

/**
 * The catalog of a runtime: the cached parse of its `--help=all` for its version, else a fresh
 * run of `<argv> serve --help=all` (cached when it parses), else the built-in catalog with a note.
 */
export async function loadRuntimeFlags(
  deps: RuntimeDeps,
  rt: VllmRuntime,
  opts: { cacheDir?: string; now?: () => number } = {},
): Promise<RuntimeFlags> {
  const cacheDir = opts.cacheDir ?? deps.paths.cacheDir;
  const version = rt.version;
  const file = version ? helpCachePath(cacheDir, rt, version) : undefined;
  let cacheNote: string | undefined;
  if (file && version) {
    try {
      const loaded = await loadJson(file, HelpCacheFile.nullable(), () => null);
      if (loaded.problem) cacheNote = `The cached flag list was unreadable and was set aside (${loaded.problem.backupPath}).`;
      if (loaded.value && loaded.value.version === version) {
        return { catalog: getCatalog(version, loaded.value.flags.map(toFlagSpec)), origin: 'cache' };
      }
    } catch (err) {
      cacheNote = `Could not read the cached flag list: ${(err as Error).message}.`;
    }
  }

  const [program, ...rest] = rt.argv as [string, ...string[]];
  const r = rt.error
    ? undefined
    : await deps.run(program, [...rest, 'serve', '--help=all'], {
        env: runtimeEnv(rt, { ...deps.env, COLUMNS: '200' }),
        timeoutMs: HELP_TIMEOUT_MS,
        maxBuffer: 16 * 1024 * 1024,
      });
  let reason: string;
  if (!r) reason = rt.error ?? 'the runtime is not usable';
  else if (r.exitCode === 0) {
    const flags = parseHelpAll(r.stdout);
    if (flags.length >= MIN_HELP_FLAGS) {
      if (file && version) {
        try {
          await saveJson(file, { schema: HELP_CACHE_SCHEMA, version, runtimeKind: rt.kind, createdAt: (opts.now ?? Date.now)(), flags });
        } catch {
          // A read-only cache dir only costs a re-parse next time.
        }
      }
      return { catalog: getCatalog(version, flags), origin: 'help', ...(cacheNote ? { note: cacheNote } : {}) };
    }
    reason = `\`serve --help=all\` printed ${flags.length} flags`;
  } else if (r.spawnError) reason = `could not start ${program}: ${r.spawnError}`;
  else if (r.timedOut) reason = `\`serve --help=all\` did not finish within ${HELP_TIMEOUT_MS / 1000} s`;
  else reason = `\`serve --help=all\` failed (exit ${r.exitCode ?? 'signal'}): ${lastLine(r.stderr || r.stdout)}`;

  const note = `Could not read the flag list from this vLLM (${reason}); using the built-in catalog${version ? ` for ${version}` : ''}.`;
  return { catalog: getCatalog(version), origin: 'builtin', note: cacheNote ? `${cacheNote} ${note}` : note };
}

function toFlagSpec(s: z.infer<typeof FlagSpecSchema>): FlagSpec {
  return { ...s, default: s.default };
}
