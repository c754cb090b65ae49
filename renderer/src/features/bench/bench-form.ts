// The benchmark form as text fields (what the inputs hold) and its translation into a
// bench:sweep or bench:run request, checked with the contract's own schemas so the form shows
// the same errors the core would.
import { BenchRunRequest, BenchSweepRequest, type CommandArg, type LengthDistDto, type WorkloadInput } from '../../contract';

export interface BenchForm {
  target: 'sweep' | 'url';
  url: string;
  profiles: string[];
  mode: 'concurrency' | 'rate';
  levels: string;
  /** Port for the sweep's server ('' = each profile's own). */
  port: string;
  api: 'completions' | 'chat';
  promptKind: 'synthetic' | 'jsonl';
  promptTokens: string;
  sharedPrefixPct: string;
  promptsPath: string;
  outputTokens: string;
  limitKind: 'requests' | 'duration';
  requests: string;
  durationS: string;
  warmup: string;
  sloTtftMs: string;
  sloItlMs: string;
  sloE2eMs: string;
  name: string;
}

export const DEFAULT_FORM: BenchForm = {
  target: 'sweep',
  url: 'http://127.0.0.1:8000',
  profiles: ['throughput', 'low-latency'],
  mode: 'concurrency',
  levels: '1,8,32,64',
  port: '',
  api: 'completions',
  promptKind: 'synthetic',
  promptTokens: '512',
  sharedPrefixPct: '0',
  promptsPath: '',
  outputTokens: '128-256',
  limitKind: 'requests',
  requests: '100',
  durationS: '30',
  warmup: '0',
  sloTtftMs: '500',
  sloItlMs: '50',
  sloE2eMs: '',
  name: '',
};

export type FormErrors = Partial<Record<keyof BenchForm, string>>;
export type Built =
  | { ok: true; kind: 'sweep'; request: CommandArg<'bench:sweep'> }
  | { ok: true; kind: 'run'; request: CommandArg<'bench:run'> }
  | { ok: false; errors: FormErrors };

export function parseLengthText(s: string): LengthDistDto | null {
  const m = /^\s*(\d+)\s*(?:[-–]\s*(\d+)\s*)?$/.exec(s);
  if (!m) return null;
  const a = Number(m[1]);
  if (m[2] === undefined) return a >= 1 ? { kind: 'fixed', value: a } : null;
  const b = Number(m[2]);
  return a >= 1 && b >= a ? { kind: 'uniform', min: a, max: b } : null;
}

export function parseLevels(s: string, integers: boolean): number[] | null {
  const xs = s
    .split(/[,\s]+/)
    .filter(Boolean)
    .map(Number);
  if (xs.length === 0 || xs.length > 32 || xs.some((x) => !Number.isFinite(x) || x <= 0 || (integers && !Number.isInteger(x)))) return null;
  return xs;
}

const optNum = (s: string): number | undefined | null => {
  if (s.trim() === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
};

/** Maps a zod issue path of the request back to the form field that holds it. */
function fieldOf(path: readonly PropertyKey[]): keyof BenchForm | undefined {
  const p = path.map(String).join('.');
  if (p.startsWith('workload.prompt.tokens')) return 'promptTokens';
  if (p.startsWith('workload.prompt.sharedPrefixRatio')) return 'sharedPrefixPct';
  if (p.startsWith('workload.prompt.path')) return 'promptsPath';
  if (p.startsWith('workload.outputTokens')) return 'outputTokens';
  if (p.startsWith('workload.requests')) return 'requests';
  if (p.startsWith('workload.durationS')) return 'durationS';
  if (p.startsWith('workload.warmupRequests')) return 'warmup';
  if (p.startsWith('workload.slo.ttftMs')) return 'sloTtftMs';
  if (p.startsWith('workload.slo.itlMs')) return 'sloItlMs';
  if (p.startsWith('workload.slo.e2eMs')) return 'sloE2eMs';
  if (p.startsWith('levels') || p.startsWith('load')) return 'levels';
  if (p.startsWith('profiles')) return 'profiles';
  if (p.startsWith('overrides')) return 'port';
  if (p.startsWith('url')) return 'url';
  if (p.startsWith('name')) return 'name';
  return undefined;
}

export function buildRequest(f: BenchForm): Built {
  const errors: FormErrors = {};
  const levels = parseLevels(f.levels, f.mode === 'concurrency');
  if (!levels)
    errors.levels =
      f.mode === 'concurrency' ? 'whole numbers > 0, comma separated (e.g. 1,8,32,64)' : 'request rates > 0, comma separated (e.g. 1,2,4)';
  else if (f.target === 'url' && levels.length > 1) errors.levels = 'one level against a URL (a sweep runs several)';
  const out = parseLengthText(f.outputTokens);
  if (!out) errors.outputTokens = 'N or MIN-MAX tokens';
  let prompt: WorkloadInput['prompt'];
  if (f.promptKind === 'jsonl') {
    if (!f.promptsPath.trim()) errors.promptsPath = 'path of a .jsonl file on the machine running the panel';
    prompt = { kind: 'jsonl', path: f.promptsPath.trim() };
  } else {
    const tokens = parseLengthText(f.promptTokens);
    if (!tokens) errors.promptTokens = 'N or MIN-MAX tokens';
    const pct = optNum(f.sharedPrefixPct);
    if (pct === null || (pct !== undefined && (pct < 0 || pct > 100))) errors.sharedPrefixPct = '0–100 %';
    prompt = { kind: 'synthetic', tokens: tokens ?? { kind: 'fixed', value: 1 }, sharedPrefixRatio: (pct ?? 0) / 100 };
  }
  const nums: [keyof BenchForm, number | undefined | null][] = [
    ['requests', f.limitKind === 'requests' ? optNum(f.requests) : undefined],
    ['durationS', f.limitKind === 'duration' ? optNum(f.durationS) : undefined],
    ['warmup', optNum(f.warmup)],
    ['sloTtftMs', optNum(f.sloTtftMs)],
    ['sloItlMs', optNum(f.sloItlMs)],
    ['sloE2eMs', optNum(f.sloE2eMs)],
  ];
  for (const [k, v] of nums) if (v === null) errors[k] = 'a number';
  const v = Object.fromEntries(nums) as Record<string, number | undefined>;
  const workload: WorkloadInput = {
    api: f.api,
    prompt,
    outputTokens: out ?? { kind: 'fixed', value: 1 },
    ...(v.requests !== undefined ? { requests: v.requests } : {}),
    ...(v.durationS !== undefined ? { durationS: v.durationS } : {}),
    ...(v.warmup !== undefined ? { warmupRequests: v.warmup } : {}),
    slo: {
      ...(v.sloTtftMs !== undefined ? { ttftMs: v.sloTtftMs } : {}),
      ...(v.sloItlMs !== undefined ? { itlMs: v.sloItlMs } : {}),
      ...(v.sloE2eMs !== undefined ? { e2eMs: v.sloE2eMs } : {}),
    },
  };
  if (f.limitKind === 'requests' && v.requests === undefined) errors.requests = 'how many requests per level';
  if (f.limitKind === 'duration' && v.durationS === undefined) errors.durationS = 'seconds per level';
  const name = f.name.trim() ? { name: f.name.trim() } : {};
  let built: Built;
  if (f.target === 'sweep') {
    if (f.profiles.length === 0) errors.profiles = 'pick at least one profile';
    const port = optNum(f.port);
    if (port === null || (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)))
      errors.port = 'a port 1–65535, or empty';
    const request: CommandArg<'bench:sweep'> = {
      workload,
      profiles: f.profiles,
      levels: { mode: f.mode, values: levels ?? [1] },
      ...(port ? { overrides: { port } } : {}),
      ...name,
    };
    const parsed = BenchSweepRequest.safeParse(request);
    if (!parsed.success) for (const i of parsed.error.issues) errors[fieldOf(i.path) ?? 'levels'] ??= i.message;
    built = { ok: true, kind: 'sweep', request };
  } else {
    const request: CommandArg<'bench:run'> = { url: f.url.trim(), workload, load: { mode: f.mode, value: levels?.[0] ?? 1 }, ...name };
    const parsed = BenchRunRequest.safeParse(request);
    if (!parsed.success) for (const i of parsed.error.issues) errors[fieldOf(i.path) ?? 'url'] ??= i.message;
    built = { ok: true, kind: 'run', request };
  }
  return Object.keys(errors).length ? { ok: false, errors } : built;
}
