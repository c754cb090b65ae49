// `vllm-panel bench`: one workload against a URL, or a profile sweep that starts and stops the
// panel's own server with each profile. Progress goes to stderr; the result (a table, or the
// saved result as JSON with --json) to stdout. Ctrl-C stops the run (and the sweep's server
// tree) and keeps the partial result.
import type { BenchEventDto, BenchResultDto, LengthDistDto, WorkloadInput } from '../../contract/bench';
import type { EventMessage } from '../../contract/index';
import { parseGpuIndexList } from '../../gpu/selection';
import type { Core } from '../../host/core';
import { type CliCommand, UsageError } from '../types';
import { overridesFrom } from './command';

const VALUE_OPTS = [
  '--url',
  '--model',
  '--api',
  '--concurrency',
  '--rate',
  '--requests',
  '--duration',
  '--prompt-tokens',
  '--output-tokens',
  '--prompts',
  '--shared-prefix',
  '--warmup',
  '--slo-ttft',
  '--slo-itl',
  '--slo-e2e',
  '--seed',
  '--timeout',
  '--api-key',
  '--name',
  '--export',
  '--profiles',
  '--runtime',
  '--set',
  '--gpus',
  '--ready-timeout',
  '--temperature',
  '--max-in-flight',
] as const;
const SWITCHES = ['--sweep', '--leave-running', '--no-ignore-eos'] as const;

type Parsed = { values: Map<string, string[]>; switches: Set<string> };

export function parseBenchArgs(args: string[]): Parsed {
  const values = new Map<string, string[]>();
  const switches = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const eq = a.indexOf('=');
    const opt = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    if ((SWITCHES as readonly string[]).includes(opt)) {
      switches.add(opt);
      continue;
    }
    if (!(VALUE_OPTS as readonly string[]).includes(opt)) throw new UsageError(`unknown option '${a}'`);
    let v: string;
    if (opt !== a) v = a.slice(eq + 1);
    else {
      const next = args[++i];
      if (next === undefined) throw new UsageError(`${opt} needs a value`);
      v = next;
    }
    values.set(opt, [...(values.get(opt) ?? []), v]);
  }
  return { values, switches };
}

const one = (p: Parsed, k: string): string | undefined => {
  const v = p.values.get(k);
  if (v && v.length > 1 && k !== '--set') throw new UsageError(`${k} given more than once`);
  return v?.[0];
};

function num(p: Parsed, k: string, o: { int?: boolean; min?: number } = {}): number | undefined {
  const s = one(p, k);
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isFinite(n) || (o.int && !Number.isInteger(n)) || (o.min !== undefined && n < o.min)) {
    throw new UsageError(`${k}: expected ${o.int ? 'a whole number' : 'a number'}${o.min !== undefined ? ` ≥ ${o.min}` : ''}, got '${s}'`);
  }
  return n;
}

/** "128" → fixed; "64-512" → uniform. */
export function parseLength(k: string, s: string): LengthDistDto {
  const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(s.trim());
  if (!m) throw new UsageError(`${k}: expected N or MIN-MAX tokens, got '${s}'`);
  const a = Number(m[1]);
  if (m[2] === undefined) return { kind: 'fixed', value: a };
  const b = Number(m[2]);
  if (b < a) throw new UsageError(`${k}: MIN must be ≤ MAX in '${s}'`);
  return { kind: 'uniform', min: a, max: b };
}

function list(k: string, s: string, int: boolean): number[] {
  const xs = s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .map(Number);
  if (xs.length === 0 || xs.some((x) => !Number.isFinite(x) || x <= 0 || (int && !Number.isInteger(x)))) {
    throw new UsageError(`${k}: expected ${int ? 'whole numbers' : 'numbers'} > 0 separated by commas, got '${s}'`);
  }
  return xs;
}

export function workloadFrom(p: Parsed): WorkloadInput {
  const api = one(p, '--api');
  if (api !== undefined && api !== 'completions' && api !== 'chat') throw new UsageError(`--api: completions or chat, got '${api}'`);
  const promptsFile = one(p, '--prompts');
  const promptTokens = one(p, '--prompt-tokens');
  if (promptsFile && promptTokens) throw new UsageError('--prompts and --prompt-tokens exclude each other');
  const shared = num(p, '--shared-prefix', { min: 0 });
  if (shared !== undefined && (shared > 1 || promptsFile)) throw new UsageError('--shared-prefix is a ratio 0–1 for generated prompts');
  const requests = num(p, '--requests', { int: true, min: 1 });
  const durationS = num(p, '--duration', { min: 0.001 });
  const slo = {
    ...(num(p, '--slo-ttft', { min: 0.001 }) !== undefined ? { ttftMs: num(p, '--slo-ttft')! } : {}),
    ...(num(p, '--slo-itl', { min: 0.001 }) !== undefined ? { itlMs: num(p, '--slo-itl')! } : {}),
    ...(num(p, '--slo-e2e', { min: 0.001 }) !== undefined ? { e2eMs: num(p, '--slo-e2e')! } : {}),
  };
  const out = one(p, '--output-tokens');
  return {
    ...(api ? { api } : {}),
    ...(one(p, '--model') ? { model: one(p, '--model')! } : {}),
    prompt: promptsFile
      ? { kind: 'jsonl', path: promptsFile }
      : { kind: 'synthetic', tokens: parseLength('--prompt-tokens', promptTokens ?? '256'), sharedPrefixRatio: shared ?? 0 },
    ...(out ? { outputTokens: parseLength('--output-tokens', out) } : {}),
    ignoreEos: !p.switches.has('--no-ignore-eos'),
    // Neither limit given: 100 requests per level, enough for stable p95s.
    ...(requests === undefined && durationS === undefined ? { requests: 100 } : {}),
    ...(requests !== undefined ? { requests } : {}),
    ...(durationS !== undefined ? { durationS } : {}),
    ...(num(p, '--warmup', { int: true, min: 0 }) !== undefined ? { warmupRequests: num(p, '--warmup')! } : {}),
    ...(num(p, '--seed', { int: true, min: 0 }) !== undefined ? { seed: num(p, '--seed')! } : {}),
    ...(num(p, '--timeout', { min: 0.001 }) !== undefined ? { requestTimeoutS: num(p, '--timeout')! } : {}),
    ...(num(p, '--temperature', { min: 0 }) !== undefined ? { temperature: num(p, '--temperature')! } : {}),
    ...(num(p, '--max-in-flight', { int: true, min: 1 }) !== undefined ? { maxInFlight: num(p, '--max-in-flight')! } : {}),
    ...(one(p, '--api-key') ? { apiKey: one(p, '--api-key')! } : {}),
    slo,
  };
}

const fmt = (x: number | null | undefined, d = 1) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d));
const dur = (s: number | null) => {
  if (s === null) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
};

export function resultTable(r: BenchResultDto): string[] {
  const head = [
    'profile',
    r.levels.mode === 'rate' ? 'rate' : 'conc',
    'ok/sent',
    'out tok/s',
    'req/s',
    'TTFT p50',
    'TTFT p95',
    'ITL p50',
    'ITL p99',
    'stall p90',
    'errors',
  ];
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const p of r.profiles) {
    if (p.levels.length === 0) notes.push(`${p.profileName}: ${p.status}${p.message ? ` — ${p.message}` : ''}`);
    for (const l of p.levels) {
      const a = l.aggregate;
      const errs = Object.entries(a.errorsByKind)
        .map(([k, v]) => `${k}×${v}`)
        .join(' ');
      rows.push([
        p.profileName,
        `${l.load.value}${l.stopped ? '*' : ''}`,
        `${a.succeeded}/${a.requests}`,
        fmt(a.outputTokensPerS, 0),
        fmt(a.requestsPerS, 2),
        fmt(a.ttftMs.p50),
        fmt(a.ttftMs.p95),
        fmt(a.itlMs.p50, 2),
        fmt(a.itlMs.p99, 2),
        fmt(a.stallMs.p90),
        errs || '–',
      ]);
    }
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(head), ...rows.map(line), '(latencies in ms; * = stopped before its limit)'];
  if (r.profiles.length > 1) {
    out.push('', 'winners:');
    const name = (id: string | null) => (id ? (r.profiles.find((p) => p.profileId === id)?.profileName ?? id) : 'no clear winner');
    for (const o of r.comparison.objectives) {
      out.push(
        `  ${o.label}: ${name(o.winner)}  (${o.perLevel.map((l) => `${l.level}: ${l.winner ? name(l.winner) : l.tied.length ? 'tie' : '–'}`).join(', ')})`,
      );
    }
  }
  return [...out, ...notes.map((n) => `note: ${n}`)];
}

async function resolveRuntime(core: Core, arg: string | undefined): Promise<string | undefined> {
  if (arg === undefined) return undefined;
  const det = await core.invoke('runtime:detect', arg === 'sim' ? undefined : { customCommand: [arg] });
  if (!det.ok) throw new Error(det.error.message);
  const rt = det.value.runtimes.find((r) => (arg === 'sim' ? r.kind === 'sim' : r.kind === 'custom'));
  if (!rt) throw new UsageError(arg === 'sim' ? 'the bundled simulator was not found (run npm run build)' : `no vLLM runtime at ${arg}`);
  if (rt.error) throw new UsageError(`${rt.label}: ${rt.error}`);
  return rt.id;
}

async function resolveProfiles(core: Core, s: string): Promise<string[]> {
  const listed = await core.invoke('profile:list', undefined);
  if (!listed.ok) throw new Error(listed.error.message);
  return s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .map((want) => {
      const w = want.toLowerCase();
      const p = listed.value.profiles.find((x) => x.id === w) ?? listed.value.profiles.find((x) => x.name.toLowerCase() === w);
      if (!p) throw new UsageError(`no profile '${want}' (profiles: ${listed.value.profiles.map((x) => x.name).join(', ')})`);
      return p.id;
    });
}

async function gpuList(core: Core, s: string): Promise<number[]> {
  const snap = s.trim() === 'all' ? await core.invoke('gpu:list', { maxAgeMs: 2000 }) : null;
  try {
    return parseGpuIndexList(s, snap?.ok ? snap.value.gpus : []);
  } catch (err) {
    throw new UsageError(`--gpus: ${(err as Error).message}`);
  }
}

function exportFormat(path: string): 'json' | 'csv' | 'markdown' {
  if (/\.csv$/i.test(path)) return 'csv';
  if (/\.(md|markdown)$/i.test(path)) return 'markdown';
  if (/\.json$/i.test(path)) return 'json';
  throw new UsageError(`--export: name a .json, .csv or .md file (got '${path}')`);
}

export const benchCommand: CliCommand = {
  name: 'bench',
  summary: 'measure tokens/s and latency: one workload against a URL, or a profile sweep',
  usage: [
    'Usage: vllm-panel bench --url URL [--concurrency N | --rate R] [--requests N | --duration S] [workload options] [--json]',
    '       vllm-panel bench --sweep --profiles A,B --concurrency 1,8,32,64 [--runtime sim|PATH] [--set FLAG=VALUE]... [workload options] [--json]',
    '',
    'The first form runs one workload headless against any OpenAI-compatible server. The second',
    'restarts the panel’s server with each profile in turn (the memory planner is asked first: a',
    'launch it predicts to fail is skipped), runs the same workload at every level, and compares.',
    'Ctrl-C stops the run (and the sweep’s server tree) and keeps the partial result.',
    '',
    'Load:',
    '  --concurrency N[,N…]  closed loop: N requests always in flight (default 8)',
    '  --rate R[,R…]         open loop: Poisson arrivals, R requests/s',
    '  --requests N          measured requests per level (default 100 when no --duration)',
    '  --duration S          seconds of sending per level (in-flight requests then finish)',
    '  --warmup N            requests sent first at the same load, not measured',
    'Workload:',
    '  --api completions|chat   /v1/completions (default) or /v1/chat/completions',
    '  --model M             model name to send (default: the first of /v1/models)',
    '  --prompt-tokens N|MIN-MAX   generated prompt length (default 256)',
    '  --shared-prefix R     share the first R (0–1) of every prompt, to exercise prefix caching',
    '  --prompts FILE        JSONL prompts: {"prompt": "…"} or {"messages": […]}, optional "max_tokens"',
    '  --output-tokens N|MIN-MAX   output length (default 128; sent with ignore_eos)',
    '  --no-ignore-eos       let the model stop early',
    '  --slo-ttft MS, --slo-itl MS, --slo-e2e MS   goodput counts requests within all of these',
    '  --seed N, --timeout S (per request, default 600), --temperature T, --api-key K, --max-in-flight N',
    'Sweep:',
    '  --profiles A,B        profiles by name or id (built-in or your own)',
    '  --runtime R           sim (the bundled simulator) or a vllm executable (default: the first vLLM found)',
    '  --set FLAG=VALUE      flag for every profile of the sweep, e.g. --set port=8011 (repeatable)',
    '  --gpus LIST           nvidia-smi indices (default: the saved selection)',
    '  --ready-timeout S     longest wait for each server to be ready (default 1800)',
    '  --leave-running       keep the last profile’s server running afterwards',
    'Output:',
    '  --name NAME           name of the saved result',
    '  --export FILE         also write the result as .json, .csv or .md',
    '  --json                the saved result as one JSON document',
  ].join('\n'),
  async run(args, { io, json, getCore }) {
    const p = parseBenchArgs(args);
    const sweep = p.switches.has('--sweep');
    const url = one(p, '--url');
    if (sweep === (url !== undefined))
      throw new UsageError(sweep ? '--sweep manages its own server: leave out --url' : 'give --url URL, or --sweep --profiles A,B');
    const conc = one(p, '--concurrency');
    const rate = one(p, '--rate');
    if (conc !== undefined && rate !== undefined) throw new UsageError('--concurrency and --rate exclude each other');
    const levels =
      rate !== undefined
        ? { mode: 'rate' as const, values: list('--rate', rate, false) }
        : { mode: 'concurrency' as const, values: list('--concurrency', conc ?? '8', true) };
    if (!sweep && levels.values.length > 1) throw new UsageError('several levels need --sweep (or run once per level)');
    if (!sweep)
      for (const k of ['--profiles', '--runtime', '--set', '--gpus', '--ready-timeout'])
        if (p.values.has(k)) throw new UsageError(`${k} belongs to --sweep`);
    if (sweep && !p.values.has('--profiles')) throw new UsageError('--sweep needs --profiles A,B');
    const workload = workloadFrom(p);
    const exportPath = one(p, '--export');
    const format = exportPath ? exportFormat(exportPath) : undefined;
    const name = one(p, '--name');

    const core = await getCore();
    let started: Awaited<ReturnType<typeof core.invoke<'bench:run'>>>;
    const events: BenchEventDto[] = [];
    let finished: (e: Extract<BenchEventDto, { type: 'finished' }>) => void = () => {};
    const done = new Promise<Extract<BenchEventDto, { type: 'finished' }>>((r) => {
      finished = r;
    });
    let id: string | null = null;
    let lastLine = 0;
    const t0 = Date.now();
    // Progress goes to stderr in both modes: with --json, stdout carries only the result.
    const progress = (e: Extract<BenchEventDto, { type: 'progress' }>) => {
      const now = Date.now();
      if (now - lastLine < 2000 && e.phase === 'running') return;
      lastLine = now;
      const l = e.live;
      io.err(
        `[${((now - t0) / 1000).toFixed(1).padStart(6)}s] ${e.profileId ?? ''}${e.level !== null ? ` @ ${e.level}` : ''} ${e.phase}` +
          `${l ? ` · ${l.completed} done${l.errors ? `, ${l.errors} errors` : ''} · ${fmt(l.outputTokensPerS, 0)} tok/s · TTFT p50 ${fmt(l.ttftP50Ms, 0)} ms` : ''}` +
          ` · ${Math.round(e.fraction * 100)}% · ETA ${dur(e.etaS)}`,
      );
    };
    const unsubscribe = core.subscribe((m: EventMessage) => {
      if (m.channel !== 'bench') return;
      const e = m.payload;
      if (id !== null && e.id !== id) return;
      events.push(e);
      if (e.type === 'progress') progress(e);
      else if (e.type === 'finished') finished(e);
    });
    try {
      if (sweep) {
        const runtimeId = await resolveRuntime(core, one(p, '--runtime'));
        const profiles = await resolveProfiles(core, one(p, '--profiles')!);
        const sets = (p.values.get('--set') ?? []).map((v) => {
          const k = v.indexOf('=');
          const n = (k < 0 ? v : v.slice(0, k)).trim();
          if (!n) throw new UsageError(`--set needs FLAG=VALUE (got '${v}')`);
          return { name: n, raw: k < 0 ? undefined : v.slice(k + 1) };
        });
        const gpus = one(p, '--gpus');
        const readyTimeoutS = num(p, '--ready-timeout', { min: 1 });
        started = await core.invoke('bench:sweep', {
          workload,
          profiles,
          levels,
          ...(sets.length ? { overrides: overridesFrom(sets) } : {}),
          ...(gpus !== undefined ? { gpus: await gpuList(core, gpus) } : {}),
          ...(runtimeId ? { runtimeId } : {}),
          ...(readyTimeoutS !== undefined ? { readyTimeoutS } : {}),
          ...(p.switches.has('--leave-running') ? { leaveRunning: true } : {}),
          ...(name ? { name } : {}),
        });
      } else {
        started = await core.invoke('bench:run', {
          url: url!,
          workload,
          load: { mode: levels.mode, value: levels.values[0]! },
          ...(name ? { name } : {}),
        });
      }
      if (!started.ok) {
        const e = started.error;
        if (json) io.out(JSON.stringify({ error: e }));
        else io.err(`Not started (${e.kind}): ${e.message}${e.field ? ` [${e.field}]` : ''}`);
        return e.kind === 'invalid_argument' ? 2 : 1;
      }
      id = started.value.id;
      io.err(
        `benchmark ${id} started${sweep ? ' (the panel’s server restarts with each profile)' : ''}; Ctrl-C stops it and keeps what finished`,
      );
      const outcome = await Promise.race([done, io.interrupted.then(() => 'interrupted' as const)]);
      let end = outcome === 'interrupted' ? null : outcome;
      if (outcome === 'interrupted') {
        io.err('stopping: cutting the requests in flight' + (sweep ? ' and stopping the server tree' : '') + '…');
        await core.invoke('bench:stop', undefined);
        end = await done;
      }
      const got = await core.invoke('bench:get', { id });
      if (!got.ok) throw new Error(got.error.message);
      const r = got.value;
      if (exportPath && format) {
        const ex = await core.invoke('bench:export', { ids: [id], format, path: exportPath });
        if (!ex.ok) throw new Error(ex.error.message);
      }
      if (json) io.out(JSON.stringify(r));
      else {
        for (const line of resultTable(r)) io.out(line);
        io.out(`saved as ${id}${exportPath ? `; written to ${exportPath}` : ''} (${r.status}${end?.message ? `: ${end.message}` : ''})`);
      }
      if (outcome === 'interrupted') return 130;
      if (r.status === 'failed') return 1;
      const anyOk = r.profiles.some((x) => x.levels.some((l) => l.aggregate.succeeded > 0));
      return anyOk ? 0 : 1;
    } finally {
      unsubscribe();
    }
  },
};
