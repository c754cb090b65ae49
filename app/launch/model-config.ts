// Loads a model's geometry for the planner: a local folder with config.json, or the Hugging Face
// cache (offline: $HF_HUB_CACHE or $HF_HOME/hub/models--org--name/snapshots/<rev>/config.json),
// or the built-in config of the default model. Never downloads anything.
import { readdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { builtinConfig, builtinGeometry, formatIssue, geometryFromConfig, type ModelGeometry, type WeightFacts } from './model-geometry';

export type { ModelGeometry } from './model-geometry';

export interface LoadModelConfigOptions {
  env: Record<string, string | undefined>;
  /** Overrides $HF_HOME (the hub cache is <hfHome>/hub unless $HF_HUB_CACHE is set). */
  hfHome?: string;
  /** Base for relative local paths (default: process.cwd()). */
  cwd?: string;
}

export type ModelConfigResult =
  | { ok: true; geometry: ModelGeometry /** mtime of config.json; null for the built-in one. */; mtimeMs: number | null }
  | { ok: false; reason: string };

/** Where a model's config.json is (or why it cannot be found). */
export type ResolvedModelConfig =
  | { kind: 'file'; configPath: string; dir: string; source: 'local' | 'hf-cache' }
  | { kind: 'builtin' }
  | { kind: 'error'; reason: string };

/** config.json files are a few KB; anything this big is not one. */
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
/** model.safetensors.index.json lists every tensor: tens of MB for the largest models. */
const MAX_INDEX_BYTES = 64 * 1024 * 1024;

/** HF repo ids: "org/name" with letters, digits, '-', '_', '.' (no '..', no leading dot/dash). */
const HF_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}\/[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$/;

const SafetensorsIndex = z.object({ metadata: z.object({ total_size: z.number().nonnegative() }).passthrough() }).passthrough();

export function hubCacheDir(env: Record<string, string | undefined>, hfHome?: string): string {
  if (!hfHome) {
    const hub = env.HF_HUB_CACHE || env.HUGGINGFACE_HUB_CACHE;
    if (hub) return hub;
  }
  const home = hfHome || env.HF_HOME || join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'huggingface');
  return join(home, 'hub');
}

function expandHome(p: string, env: Record<string, string | undefined>): string {
  if (p === '~') return env.HOME || homedir();
  if (p.startsWith('~/')) return join(env.HOME || homedir(), p.slice(2));
  return p;
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
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

function looksLikePath(s: string): boolean {
  return isAbsolute(s) || s.startsWith('./') || s.startsWith('../') || s.startsWith('~') || s === '.' || s.endsWith('.json');
}

/** Finds config.json for an id or path without reading it. */
export async function resolveModelConfig(idOrPath: string, opts: LoadModelConfigOptions): Promise<ResolvedModelConfig> {
  const raw = idOrPath.trim();
  if (raw === '') return { kind: 'error', reason: 'No model given.' };
  if (raw.length > 1024 || /[\u0000-\u001f]/.test(raw))
    return { kind: 'error', reason: 'The model id or path has control characters or is too long.' };

  const cwd = opts.cwd ?? process.cwd();
  const localCandidate = resolve(cwd, expandHome(raw, opts.env));
  if (looksLikePath(raw) || (await isDir(localCandidate))) {
    if (raw.endsWith('.json') && (await isFile(localCandidate)))
      return { kind: 'file', configPath: localCandidate, dir: resolve(localCandidate, '..'), source: 'local' };
    if (!(await isDir(localCandidate))) return { kind: 'error', reason: `No folder at ${localCandidate}.` };
    const configPath = join(localCandidate, 'config.json');
    if (!(await isFile(configPath)))
      return { kind: 'error', reason: `${localCandidate} has no config.json (not a Hugging Face model folder?).` };
    return { kind: 'file', configPath, dir: localCandidate, source: 'local' };
  }

  if (!HF_ID.test(raw) || raw.includes('..')) {
    return { kind: 'error', reason: `'${raw.slice(0, 120)}' is neither a local folder nor a Hugging Face id (org/name).` };
  }
  const hub = hubCacheDir(opts.env, opts.hfHome);
  const repoDir = join(hub, `models--${raw.replace('/', '--')}`);
  const snapshots = join(repoDir, 'snapshots');
  let rev: string | undefined;
  try {
    const ref = (await readFile(join(repoDir, 'refs', 'main'), 'utf8')).trim();
    if (/^[0-9a-f]{7,64}$/i.test(ref) && (await isFile(join(snapshots, ref, 'config.json')))) rev = ref;
  } catch {
    // No refs/main (snapshot downloaded by revision): fall back to the newest snapshot below.
  }
  if (!rev) {
    let newest: { name: string; mtime: number } | undefined;
    try {
      for (const name of await readdir(snapshots)) {
        try {
          const s = await stat(join(snapshots, name, 'config.json'));
          if (s.isFile() && (!newest || s.mtimeMs > newest.mtime)) newest = { name, mtime: s.mtimeMs };
        } catch {
          // A snapshot without config.json (partial download): skip it.
        }
      }
    } catch {
      // No snapshots folder: not downloaded.
    }
    rev = newest?.name;
  }
  if (rev) {
    const dir = join(snapshots, rev);
    return { kind: 'file', configPath: join(dir, 'config.json'), dir, source: 'hf-cache' };
  }
  if (builtinConfig(raw)) return { kind: 'builtin' };
  return {
    kind: 'error',
    reason: `${raw} is not in the Hugging Face cache (looked in ${repoDir}). Download it first (huggingface-cli download ${raw}) or give a local folder.`,
  };
}

async function readWeightFacts(dir: string): Promise<WeightFacts> {
  const facts: WeightFacts = {};
  const indexPath = join(dir, 'model.safetensors.index.json');
  try {
    const s = await stat(indexPath);
    if (s.isFile() && s.size <= MAX_INDEX_BYTES) {
      const parsed = SafetensorsIndex.safeParse(JSON.parse(await readFile(indexPath, 'utf8')));
      if (parsed.success) facts.indexTotalSize = parsed.data.metadata.total_size;
    }
  } catch {
    // No index or an unreadable one: the weights are estimated from the geometry instead.
  }
  if (facts.indexTotalSize === undefined) {
    try {
      const s = await stat(join(dir, 'model.safetensors'));
      if (s.isFile()) facts.singleFileSize = s.size;
    } catch {
      // No single-file checkpoint either.
    }
  }
  return facts;
}

/** Reads and validates one config.json (+ weight facts beside it). */
export async function readModelConfigFile(
  modelId: string,
  configPath: string,
  dir: string,
  source: 'local' | 'hf-cache',
): Promise<ModelConfigResult> {
  let text: string;
  let mtimeMs: number;
  try {
    const s = await stat(configPath);
    if (s.size > MAX_CONFIG_BYTES) return { ok: false, reason: `${configPath} is ${s.size} bytes: too large for a config.json.` };
    mtimeMs = s.mtimeMs;
    text = await readFile(configPath, 'utf8');
  } catch (err) {
    return { ok: false, reason: `Cannot read ${configPath}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `${configPath} is not valid JSON: ${(err as Error).message}` };
  }
  const weights = await readWeightFacts(dir);
  const r = geometryFromConfig(json, { modelId, source, configPath }, weights);
  if (!r.ok) return { ok: false, reason: `${configPath}: ${r.reason}` };
  return { ok: true, geometry: r.geometry, mtimeMs };
}

/** The planner's model geometry for an id or path. Unreadable or invalid → `{ ok: false, reason }`. */
export async function loadModelConfig(idOrPath: string, opts: LoadModelConfigOptions): Promise<ModelConfigResult> {
  const where = await resolveModelConfig(idOrPath, opts);
  if (where.kind === 'error') return { ok: false, reason: where.reason };
  if (where.kind === 'builtin') {
    const b = builtinGeometry(idOrPath.trim());
    if (!b) return { ok: false, reason: 'no built-in config' };
    return b.ok ? { ok: true, geometry: b.geometry, mtimeMs: null } : { ok: false, reason: b.reason };
  }
  return readModelConfigFile(idOrPath.trim(), where.configPath, where.dir, where.source);
}

/**
 * Memoizes loadModelConfig per resolved config.json and its mtime: the UI plans on every
 * keystroke, and re-reading (and re-validating) config.json each time would be wasted work.
 * A changed file (new mtime) is read again.
 */
export class ModelConfigCache {
  private readonly entries = new Map<string, { mtimeMs: number; result: ModelConfigResult }>();
  /** Bounded: one entry per model the user has looked at. */
  private readonly maxEntries: number;

  constructor(maxEntries = 64) {
    this.maxEntries = maxEntries;
  }

  async load(idOrPath: string, opts: LoadModelConfigOptions): Promise<ModelConfigResult> {
    const where = await resolveModelConfig(idOrPath, opts);
    if (where.kind === 'error') return { ok: false, reason: where.reason };
    if (where.kind === 'builtin') {
      const key = `builtin\u0000${idOrPath.trim().toLowerCase()}`;
      const hit = this.entries.get(key);
      if (hit) return hit.result;
      const result = await loadModelConfig(idOrPath, opts);
      this.remember(key, 0, result);
      return result;
    }
    let mtimeMs: number;
    try {
      mtimeMs = (await stat(where.configPath)).mtimeMs;
    } catch (err) {
      return { ok: false, reason: `Cannot read ${where.configPath}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
    }
    const key = `${idOrPath.trim()}\u0000${where.configPath}`;
    const hit = this.entries.get(key);
    if (hit && hit.mtimeMs === mtimeMs) return hit.result;
    const result = await readModelConfigFile(idOrPath.trim(), where.configPath, where.dir, where.source);
    this.remember(key, mtimeMs, result);
    return result;
  }

  private remember(key: string, mtimeMs: number, result: ModelConfigResult): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { mtimeMs, result });
  }

  get size(): number {
    return this.entries.size;
  }
}

export { formatIssue };
