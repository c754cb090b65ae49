// Profile sweeps and single runs, as the core runs them. A sweep restarts the panel's server with
// each profile in turn (server:start runs the planner first: a predicted failure is recorded as
// "skipped: planner says …" and nothing is started), waits for ready, runs the same workload at
// every load level, and stops the server again. After every level the partial result is saved
// and pushed, so stopping (or a crash) keeps everything measured so far.
import { cpus } from 'node:os';
import type {
  BenchEventDto,
  BenchResultDto,
  BenchRunParsed,
  BenchSweepParsed,
  EnvironmentDto,
  LevelResultDto,
  LiveStatsDto,
  LoadDto,
  ProfileRunDto,
  WorkloadDto,
} from '../contract/bench';
import { BENCH_SCHEMA_VERSION } from '../contract/bench';
import type { ServerStateDto } from '../contract/server';
import { type CoreContext, PanelError } from '../host/context';
import { parseSimGpus } from '../launch/gpu-models';
import { redactArgv } from '../server/handlers';
import { PANEL_VERSION } from '../version';
import { compareProfiles } from './compare';
import { type LivePhase, resolveModel, runLoad } from './loadgen';
import { type PromptSet, preparePrompts } from './prompts';
import type { BenchStore } from './store';

type SweepRequest = BenchSweepParsed;
type RunRequest = BenchRunParsed;

/** Progress events at most this often (ms); phase changes and results go out at once. */
export const PROGRESS_INTERVAL_MS = 250;
const POLL_MS = 100;

export interface RunEnv {
  ctx: CoreContext;
  id: string;
  signal: AbortSignal;
  store: BenchStore;
  emit(ev: BenchEventDto): void;
}

const TERMINAL: ReadonlySet<ServerStateDto['status']> = new Set(['failed', 'crashed', 'stopped', 'idle']);

/** Estimates the time left from what has been measured so far (levels and server starts). */
export class EtaTracker {
  private levelS: number[] = [];
  private startS: number[] = [];
  constructor(
    private readonly w: WorkloadDto,
    readonly levelsTotal: number,
    private readonly startsTotal: number,
  ) {}
  levelsDone = 0;
  startsDone = 0;
  addLevel(s: number, counted = true): void {
    if (counted) this.levelS.push(s);
    this.levelsDone++;
  }
  addStart(s: number | null): void {
    if (s !== null) this.startS.push(s);
    this.startsDone++;
  }
  /** A profile that will not run: its levels and start drop out of the estimate. */
  skipProfile(levels: number): void {
    this.levelsDone += levels;
    this.startsDone++;
  }
  private static mean(xs: number[]): number | null {
    return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
  }
  /** `current`: fraction done of the level in progress and seconds spent in it. */
  eta(current: { fraction: number; elapsedS: number } | null): number | null {
    const perLevel =
      EtaTracker.mean(this.levelS) ??
      (this.w.durationS !== undefined ? this.w.durationS : current && current.fraction > 0.05 ? current.elapsedS / current.fraction : null);
    if (perLevel === null) return null;
    let left = 0;
    let futureLevels = this.levelsTotal - this.levelsDone;
    if (current) {
      futureLevels -= 1;
      const f = Math.min(1, Math.max(0, current.fraction));
      left += f > 0.05 ? (current.elapsedS * (1 - f)) / f : perLevel * (1 - f);
    }
    left += Math.max(0, futureLevels) * perLevel;
    const startsLeft = this.startsTotal - this.startsDone;
    if (startsLeft > 0) {
      const s = EtaTracker.mean(this.startS);
      if (s === null) return null;
      left += startsLeft * s;
    }
    return left;
  }
}

function emptyEnvironment(): EnvironmentDto {
  return {
    gpus: [],
    gpuSource: 'none',
    driverVersion: null,
    cudaVersion: null,
    vllmVersion: null,
    model: null,
    runtime: null,
    url: null,
    panelVersion: PANEL_VERSION,
    platform: `${process.platform}-${process.arch}`,
    cpu: cpus()[0]?.model?.trim() || null,
  };
}

export function newResult(o: {
  id: string;
  name: string;
  kind: 'run' | 'sweep';
  createdAt: number;
  workload: WorkloadDto;
  levels: BenchResultDto['levels'];
  profiles: ProfileRunDto[];
}): BenchResultDto {
  const r: BenchResultDto = {
    schemaVersion: BENCH_SCHEMA_VERSION,
    id: o.id,
    name: o.name,
    kind: o.kind,
    createdAt: o.createdAt,
    finishedAt: null,
    status: 'running',
    message: null,
    workload: o.workload,
    levels: o.levels,
    environment: emptyEnvironment(),
    profiles: o.profiles,
    comparison: { tolerance: 0, objectives: [] },
  };
  r.comparison = compareProfiles(r);
  return r;
}

const isLoopback = (url: string) => {
  try {
    return ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(new URL(url).hostname);
  } catch {
    return false;
  }
};

/** GPUs, driver and CUDA of this machine (nvidia-smi), or the simulated ones for the simulator. */
async function fillGpus(ctx: CoreContext, env: EnvironmentDto, runtimeKind: string | null): Promise<void> {
  if (runtimeKind === 'sim') {
    const sim = parseSimGpus(ctx.deps.env);
    if (sim.ok) {
      env.gpus = sim.gpus.map((g) => ({ name: g.name, memoryGiB: g.totalGiB }));
      env.gpuSource = 'simulated';
    }
    return;
  }
  try {
    const snap = await ctx.call('gpu:list', { maxAgeMs: 5000 });
    if (snap.gpus.length) {
      env.gpus = snap.gpus.map((g) => ({ name: g.name, memoryGiB: g.memoryTotalMiB !== null ? g.memoryTotalMiB / 1024 : null }));
      env.gpuSource = 'nvidia-smi';
    }
    env.driverVersion = snap.driverVersion;
    env.cudaVersion = snap.cudaVersion;
  } catch {
    // No nvidia-smi: the result says "unknown" rather than failing the run.
  }
}

/** Shared by sweep and run: progress events (throttled) with ETA and live numbers. */
class Reporter {
  private lastAt = 0;
  private lastPhase = '';
  private readonly t0: number;
  constructor(
    private readonly re: RunEnv,
    readonly eta: EtaTracker,
  ) {
    this.t0 = re.ctx.deps.clock.now();
  }
  progress(
    phase: Extract<BenchEventDto, { type: 'progress' }>['phase'],
    o: {
      profileId?: string | null;
      level?: number | null;
      live?: LiveStatsDto | null;
      current?: { fraction: number; elapsedS: number } | null;
    } = {},
  ): void {
    const now = this.re.ctx.deps.clock.now();
    const key = `${phase}|${o.profileId ?? ''}|${o.level ?? ''}`;
    if (key === this.lastPhase && now - this.lastAt < PROGRESS_INTERVAL_MS) return;
    this.lastPhase = key;
    this.lastAt = now;
    const cur = o.current ?? null;
    const fraction =
      this.eta.levelsTotal > 0 ? Math.min(1, (this.eta.levelsDone + (cur ? Math.min(1, cur.fraction) : 0)) / this.eta.levelsTotal) : 1;
    const etaS = this.eta.eta(cur);
    this.re.emit({
      type: 'progress',
      id: this.re.id,
      phase,
      profileId: o.profileId ?? null,
      level: o.level ?? null,
      levelsDone: this.eta.levelsDone,
      levelsTotal: this.eta.levelsTotal,
      fraction,
      elapsedS: (now - this.t0) / 1000,
      etaS: etaS !== null && Number.isFinite(etaS) ? etaS : null,
      live: o.live ?? null,
    });
  }
}

async function publish(re: RunEnv, result: BenchResultDto): Promise<void> {
  result.comparison = compareProfiles(result);
  await re.store.save(result);
  re.emit({ type: 'partial', id: re.id, result: structuredClone(result) });
}

/** Runs the levels of one profile (or of an external server) against `url`; pushes results as they come. */
async function runLevels(
  re: RunEnv,
  rep: Reporter,
  result: BenchResultDto,
  run: ProfileRunDto,
  url: string,
  prompts: PromptSet,
  model: string | null,
): Promise<void> {
  const w = result.workload;
  let offset = 0;
  for (const value of result.levels.values) {
    if (re.signal.aborted) return;
    const load: LoadDto = { mode: result.levels.mode, value };
    const t0 = re.ctx.deps.clock.now();
    rep.progress(w.warmupRequests > 0 ? 'warmup' : 'running', {
      profileId: run.profileId,
      level: value,
      current: { fraction: 0, elapsedS: 0 },
    });
    const level: LevelResultDto = await runLoad({
      url,
      workload: w,
      load,
      signal: re.signal,
      fetch: re.ctx.deps.fetch,
      prompts,
      model,
      indexOffset: offset,
      onLive: (live, phase) => {
        const elapsedS = (re.ctx.deps.clock.now() - t0) / 1000;
        const total = w.requests ?? null;
        let fraction = total ? live.completed / total : 0;
        if (w.durationS !== undefined) fraction = Math.max(total ? fraction : 0, Math.min(1, elapsedS / (w.durationS + 1)));
        rep.progress(phase satisfies LivePhase, { profileId: run.profileId, level: value, live, current: { fraction, elapsedS } });
      },
    });
    offset += w.warmupRequests + level.aggregate.requests + level.aggregate.cancelled;
    run.levels.push(level);
    rep.eta.addLevel((re.ctx.deps.clock.now() - t0) / 1000, !level.stopped);
    await publish(re, result);
  }
}

async function stopServer(ctx: CoreContext): Promise<void> {
  try {
    await ctx.call('server:stop', undefined);
  } catch {
    // Already stopped, or the stop failed: the next start reports a busy port if it matters.
  }
}

async function waitReady(ctx: CoreContext, signal: AbortSignal, timeoutMs: number): Promise<ServerStateDto> {
  const end = ctx.deps.clock.now() + timeoutMs;
  for (;;) {
    const s = await ctx.call('server:state', undefined);
    if (s.status === 'ready' || TERMINAL.has(s.status)) return s;
    if (signal.aborted) return s;
    if (ctx.deps.clock.now() > end) {
      throw new PanelError(
        'ready_timeout',
        `The server was not ready after ${Math.round(timeoutMs / 1000)} s (last phase: ${s.phase ?? 'none'}).`,
      );
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Loads a JSONL prompt file once up front, so a bad file fails the command instead of the run. */
export async function checkPrompts(w: WorkloadDto): Promise<void> {
  if (w.prompt.kind === 'jsonl') await preparePrompts(w, null);
}

export async function runSweep(re: RunEnv, req: SweepRequest, result: BenchResultDto): Promise<void> {
  const { ctx, signal } = re;
  const w = req.workload;
  const eta = new EtaTracker(w, req.profiles.length * req.levels.values.length, req.profiles.length);
  const rep = new Reporter(re, eta);
  const { profiles } = await ctx.call('profile:list', undefined);
  const { runtimes } = await ctx.call('runtime:detect', undefined);
  const usable = runtimes.filter((r) => !r.error);
  const runtime = req.runtimeId ? runtimes.find((r) => r.id === req.runtimeId) : (usable.find((r) => r.kind !== 'sim') ?? usable[0]);
  result.environment.runtime = runtime ? { kind: runtime.kind, label: runtime.label } : null;
  await fillGpus(ctx, result.environment, runtime?.kind ?? null);

  const state = await ctx.call('server:state', undefined);
  if (!TERMINAL.has(state.status)) {
    rep.progress('stopping-server');
    await stopServer(ctx);
  }
  for (let i = 0; i < req.profiles.length; i++) {
    const run = result.profiles[i]!;
    const profile = profiles.find((p) => p.id === run.profileId);
    if (signal.aborted) break;
    if (!profile) {
      run.status = 'failed';
      run.message = 'the profile no longer exists';
      eta.skipProfile(req.levels.values.length);
      await publish(re, result);
      continue;
    }
    run.status = 'running';
    run.flags = { ...profile.flags, ...(req.overrides ?? {}) };
    rep.progress('starting-server', { profileId: run.profileId });
    const t0 = ctx.deps.clock.now();
    try {
      await ctx.call('server:start', {
        build: { profileId: profile.id, ...(req.overrides ? { overrides: req.overrides } : {}), ...(req.gpus ? { gpus: req.gpus } : {}) },
        ...(req.runtimeId ? { runtimeId: req.runtimeId } : {}),
      });
    } catch (err) {
      const e = err as PanelError;
      run.status = e.kind === 'planner_predicts_failure' ? 'skipped' : 'failed';
      run.message =
        e.kind === 'planner_predicts_failure'
          ? `skipped: planner says ${e.message.replace(/^The memory planner predicts this launch will fail: /, '')}`
          : e.message;
      eta.skipProfile(req.levels.values.length);
      await publish(re, result);
      continue;
    }
    let ready: ServerStateDto;
    try {
      ready = await waitReady(ctx, signal, req.readyTimeoutS * 1000);
    } catch (err) {
      run.status = 'failed';
      run.message = (err as Error).message;
      await stopServer(ctx);
      eta.skipProfile(req.levels.values.length);
      await publish(re, result);
      continue;
    }
    run.argv = redactArgv(ready.argv);
    run.vllmVersion = ready.facts.vllmVersion ?? null;
    if (signal.aborted) break;
    if (ready.status !== 'ready' || !ready.url) {
      const d = ready.diagnosis;
      run.status = 'failed';
      run.message = `the server ${ready.status}${d ? `: ${d.errorKind}${d.message ? ` — ${d.message}` : ''}` : ready.message ? `: ${ready.message}` : ''}`;
      await stopServer(ctx);
      eta.skipProfile(req.levels.values.length);
      await publish(re, result);
      continue;
    }
    run.startupS = ready.readyAt && ready.startedAt ? (ready.readyAt - ready.startedAt) / 1000 : (ctx.deps.clock.now() - t0) / 1000;
    eta.addStart((ctx.deps.clock.now() - t0) / 1000);
    const env = result.environment;
    env.vllmVersion ??= run.vllmVersion;
    env.url = ready.url;
    const model = w.model ?? (await resolveModel(ctx.deps.fetch, ready.url, w.apiKey));
    env.model ??= profile.model;
    const prompts = await preparePrompts(w, model);
    await runLevels(re, rep, result, run, ready.url, prompts, model);
    run.status = signal.aborted ? 'stopped' : 'done';
    const last = i === req.profiles.length - 1;
    if (signal.aborted || !(last && req.leaveRunning)) {
      rep.progress('stopping-server', { profileId: run.profileId });
      await stopServer(ctx);
    }
    await publish(re, result);
  }
  if (signal.aborted) {
    await stopServer(ctx);
    for (const p of result.profiles) if (p.status === 'pending' || p.status === 'running') p.status = 'stopped';
  }
}

/** One workload at one load against any OpenAI-compatible URL (no server management). */
export async function runExternal(re: RunEnv, req: RunRequest, result: BenchResultDto): Promise<void> {
  const { ctx } = re;
  const w = req.workload;
  const rep = new Reporter(re, new EtaTracker(w, 1, 0));
  const run = result.profiles[0]!;
  run.status = 'running';
  const env = result.environment;
  env.url = req.url;
  // The local GPUs only describe the server when it runs on this machine.
  if (isLoopback(req.url)) await fillGpus(ctx, env, null);
  env.vllmVersion = await serverVersion(ctx.deps.fetch, req.url);
  run.vllmVersion = env.vllmVersion;
  const model = w.model ?? (await resolveModel(ctx.deps.fetch, req.url, w.apiKey));
  env.model = model;
  const prompts = await preparePrompts(w, model);
  rep.progress('preparing');
  await runLevels(re, rep, result, run, req.url, prompts, model);
  run.status = re.signal.aborted ? 'stopped' : 'done';
}

/** GET /version (vLLM answers {"version": "0.13.0"}); null for servers without it. */
async function serverVersion(fetchImpl: typeof fetch, url: string): Promise<string | null> {
  try {
    const r = await fetchImpl(`${url.replace(/\/+$/, '')}/version`, { signal: AbortSignal.timeout(3000) });
    if (r.status !== 200) return null;
    const v = ((await r.json()) as { version?: unknown })?.version;
    return typeof v === 'string' ? v.slice(0, 64) : null;
  } catch {
    return null;
  }
}
