// Handlers of the server contract: preflight + start/stop/restart through the Supervisor, logs,
// leftovers from earlier runs, diagnosis and the diagnostic bundle. One ServerService per core.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildRequest, BuiltCommand } from '../contract/profiles';
import type { DiagnosisDto, ServerStateDto, StartRequest, StopReport } from '../contract/server';
import { gpuService } from '../gpu/service';
import { type CoreContext, type Handlers, PanelError } from '../host/context';
import { parseSimGpus } from '../launch/gpu-models';
import { profileService } from '../launch/profile-handlers';
import type { VllmRuntime } from '../launch/runtime';
import { PANEL_VERSION } from '../version';
import { diagnoseLog } from './diagnose';
import { portFree, portHolder } from './port';
import { isAlive, listProcesses, treeOf, VLLM_CMD } from './process-table';
import { type PidFile, Supervisor } from './supervisor';
import { tarGz } from './tar';

type ServerHandlers = Pick<
  Handlers,
  | 'server:state'
  | 'server:start'
  | 'server:stop'
  | 'server:restart'
  | 'server:leftovers'
  | 'server:reap'
  | 'server:bundle'
  | 'logs:get'
  | 'logs:clear'
  | 'logs:save'
  | 'diagnose:log'
>;

/** Value of `--flag` in an argv (space or `=` form), as vLLM's parser would read it. */
export function argValue(argv: readonly string[], flag: string): string | undefined {
  let v: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === flag) v = argv[i + 1];
    else if (a.startsWith(`${flag}=`)) v = a.slice(flag.length + 1);
  }
  return v;
}

const API_KEY_RE = /(--api-key(?:=|\s+))(\S+)/g;
/** Never write an API key into a bundle or a log line. */
export function redactArgv(argv: readonly string[]): string[] {
  const out = [...argv];
  for (let i = 0; i < out.length; i++) {
    if (out[i] === '--api-key' && i + 1 < out.length) out[i + 1] = '<redacted>';
    else if (out[i]!.startsWith('--api-key=')) out[i] = '--api-key=<redacted>';
  }
  return out;
}
const SECRET_ENV = /KEY|TOKEN|SECRET|PASSWORD/i;

export class ServerService {
  readonly supervisor: Supervisor;
  private lastStart: StartRequest | undefined;
  private lastBuild: BuiltCommand | undefined;
  private lastPlan: unknown;
  private attachChecked = false;

  constructor(private readonly ctx: CoreContext) {
    const gpu = gpuService(ctx);
    this.supervisor = new Supervisor({
      clock: ctx.deps.clock,
      fetch: ctx.deps.fetch,
      run: ctx.deps.run,
      dataDir: ctx.deps.paths.dataDir,
      logCapacity: () => ctx.settings.get().logBufferLines,
      graceMs: () => ctx.settings.get().stopGraceSeconds * 1000,
      onState: (s) => ctx.emit('server', s),
      onLogs: (b) => ctx.emit('logs', b),
      gpuPids: async () => {
        const snap = await gpu.snapshot(0);
        if (snap.gpus.length === 0) return null;
        return new Set(snap.gpus.flatMap((g) => g.processes.map((p) => p.pid)));
      },
    });
    ctx.onDispose(() => this.supervisor.dispose(ctx.settings.get().keepServerRunningOnQuit));
  }

  /** Re-attaches to a server a previous panel session left running (pidfile + /health). */
  async checkAttach(): Promise<void> {
    if (this.attachChecked) return;
    this.attachChecked = true;
    let pf: PidFile;
    try {
      pf = JSON.parse(await readFile(this.supervisor.pidFilePath, 'utf8')) as PidFile;
    } catch {
      return;
    }
    if (typeof pf?.pid !== 'number' || !isAlive(pf.pid)) {
      await rm(this.supervisor.pidFilePath, { force: true });
      return;
    }
    try {
      const r = await this.ctx.deps.fetch(`${pf.url}/health`, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200 && !this.supervisor.running) this.supervisor.attach(pf);
    } catch {
      // Alive but not answering: it shows up as a leftover the user can reap.
    }
  }

  private async pickRuntime(runtimeId?: string): Promise<VllmRuntime> {
    const { runtimes } = await this.ctx.call('runtime:detect', undefined);
    const usable = runtimes.filter((r) => !r.error);
    const rt = runtimeId ? runtimes.find((r) => r.id === runtimeId) : (usable.find((r) => r.kind !== 'sim') ?? usable[0]);
    if (!rt) {
      throw new PanelError(
        'no_runtime',
        runtimeId
          ? `The vLLM runtime "${runtimeId.slice(0, 200)}" is not available any more.`
          : 'No vLLM installation was found (PATH, ./.venv, conda envs).',
        [
          {
            label:
              'Install vLLM in a virtualenv (python -m venv .venv && .venv/bin/pip install vllm), or pick the simulator to try the panel',
          },
        ],
      );
    }
    if (rt.error) throw new PanelError('runtime_broken', `${rt.label}: ${rt.error}`);
    return rt as VllmRuntime;
  }

  async start(req: StartRequest): Promise<ServerStateDto> {
    await this.checkAttach();
    if (this.supervisor.running) {
      throw new PanelError(
        'already_running',
        `A vLLM server is already ${this.supervisor.state.status} (PID ${this.supervisor.state.pid ?? '?'}). Stop it first.`,
        [],
      );
    }
    const profileId = req.build.profile?.id ?? req.build.profileId ?? null;
    this.supervisor.preflight(profileId);
    try {
      const rt = await this.pickRuntime(req.runtimeId);
      const buildReq: BuildRequest = { ...req.build, runtime: rt };
      const built = await profileService(this.ctx).build(buildReq);
      const errors = built.issues.filter((i) => i.severity === 'error');
      if (errors.length > 0) {
        throw new PanelError(
          'invalid_flags',
          `The launch settings are not valid for vLLM ${built.vllmVersion ?? '(unknown version)'}: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`,
          [],
          errors[0]!.field,
        );
      }
      const host = argValue(built.argv, '--host') ?? '127.0.0.1';
      const port = Number(argValue(built.argv, '--port') ?? 8000);
      const env: Record<string, string | undefined> = { ...this.ctx.deps.env, ...built.env };
      // The panel's own Node options (a dev loader, an inspector) must not leak into vLLM or the simulator.
      delete env.NODE_OPTIONS;

      // Never two servers on one port: vLLM would fail after its first log lines anyway.
      if (!(await portFree(host === '0.0.0.0' ? '0.0.0.0' : host, port))) {
        const holder = await portHolder(port);
        throw new PanelError(
          'port_in_use',
          `Port ${port} is already in use${holder ? ` by PID ${holder.pid} (${holder.cmd.slice(0, 120)})` : ''}.`,
          [
            { label: `Use port ${port + 1}`, action: { type: 'set-flag', flag: 'port', value: port + 1 } },
            ...(holder ? [{ label: `Stop PID ${holder.pid}`, action: { type: 'kill-process' as const, pid: holder.pid } }] : []),
          ],
          'port',
        );
      }

      const plan = await this.plan(rt, built, buildReq, env);
      this.lastPlan = plan;
      if (plan?.verdict === 'will-fail' && !req.confirmPlannerFailure) {
        const errs = plan.problems.filter((p) => p.severity === 'error');
        throw new PanelError(
          'planner_predicts_failure',
          `The memory planner predicts this launch will fail: ${errs.map((p) => p.message).join(' ')}`,
          plan.remedies,
        );
      }
      if (!req.confirmGpuInUse && rt.kind !== 'sim') {
        const busy = await this.gpuBusy(built.gpus);
        if (busy.length > 0) {
          throw new PanelError(
            'gpu_in_use',
            `Other processes already hold memory on the selected GPUs: ${busy.map((b) => `GPU ${b.gpu}: PID ${b.pid} ${b.name} holds ${(b.usedMiB / 1024).toFixed(1)} GiB`).join('; ')}.`,
            busy.map((b) => ({
              label: `Free GPU ${b.gpu}: stop PID ${b.pid} (${b.name})`,
              action: { type: 'kill-process' as const, pid: b.pid },
            })),
          );
        }
      }
      this.lastStart = req;
      this.lastBuild = built;
      const flags: Record<string, unknown> = { ...(req.build.profile?.flags ?? {}), ...(req.build.overrides ?? {}), port };
      return await this.supervisor.start({
        argv: built.argv,
        env,
        cwd: this.ctx.deps.paths.cwd,
        host,
        port,
        profileId,
        flags,
        prediction: plan
          ? {
              gpuKvCacheTokens: plan.kv?.kvCacheTokens ?? null,
              maxConcurrency: plan.kv?.maxConcurrency ?? null,
              availableKvGiB: plan.memory?.kvAvailableGiB ?? null,
              weightsGiB: plan.memory?.weightsGiB ?? null,
              verdict: plan.verdict,
            }
          : null,
      });
    } catch (err) {
      this.supervisor.preflightFailed((err as Error).message);
      throw err;
    }
  }

  /** The planner's verdict for this launch; null when it cannot say (no GPU info). */
  private async plan(rt: VllmRuntime, built: BuiltCommand, req: BuildRequest, env: Record<string, string | undefined>) {
    const profile = req.profile ?? (await profileService(this.ctx).buildInput(req)).profile;
    const flags = { ...profile.flags, ...(req.overrides ?? {}) };
    let gpu: { memoryGiB: number; usedGiB?: number; count?: number; name?: string } | { indices: number[] } | undefined;
    if (rt.kind === 'sim') {
      // Plan against the machine the simulator pretends to be.
      const sim = parseSimGpus(env);
      if (sim.ok && sim.gpus.length > 0)
        gpu = {
          memoryGiB: Math.min(...sim.gpus.map((g) => g.totalGiB)),
          usedGiB: Math.max(...sim.gpus.map((g) => g.usedGiB)),
          count: Math.max(1, built.dataParallelSize || 1),
          name: sim.gpus[0]!.name,
        };
    } else if (built.gpus.length > 0) gpu = { indices: built.gpus };
    if (!gpu) return null;
    try {
      return await this.ctx.call('plan:compute', {
        model: profile.model,
        gpu,
        flags,
        ...(built.vllmVersion ? { vllmVersion: built.vllmVersion } : {}),
      });
    } catch {
      return null; // an estimate that cannot be made must not block a launch
    }
  }

  private async gpuBusy(indices: number[]): Promise<{ gpu: number; pid: number; name: string; usedMiB: number }[]> {
    const snap = await gpuService(this.ctx).snapshot(2000);
    const mine = new Set<number>();
    const out: { gpu: number; pid: number; name: string; usedMiB: number }[] = [];
    for (const g of snap.gpus) {
      if (!indices.includes(g.index)) continue;
      for (const p of g.processes)
        if (!mine.has(p.pid) && (p.usedMiB ?? 0) > 0)
          out.push({ gpu: g.index, pid: p.pid, name: p.name ?? 'unknown', usedMiB: p.usedMiB ?? 0 });
    }
    return out;
  }

  async restart(): Promise<ServerStateDto> {
    const req = this.lastStart;
    if (!req) throw new PanelError('nothing_to_restart', 'Nothing to restart: start a server first.');
    await this.supervisor.stop();
    return this.start({ ...req, confirmPlannerFailure: true });
  }

  /** vLLM-looking processes not belonging to the server this panel runs now. */
  async leftovers() {
    const procs = await listProcesses(this.ctx.deps.run, this.ctx.deps.platform);
    const own = new Set<number>([process.pid]);
    const pid = this.supervisor.state.pid;
    if (pid && !this.supervisor.state.attached) for (const p of treeOf(procs, pid, pid)) own.add(p.pid);
    const snap = await gpuService(this.ctx).snapshot(2000);
    const gpuMiB = new Map<number, number>();
    for (const g of snap.gpus) for (const p of g.processes) gpuMiB.set(p.pid, (gpuMiB.get(p.pid) ?? 0) + (p.usedMiB ?? 0));
    return (
      procs
        // `vllm serve --help=all` / `--version` (runtime detection) are short-lived, not servers.
        .filter((p) => !own.has(p.pid) && VLLM_CMD.test(p.cmd) && !/\s--(?:help|version)\b/.test(p.cmd))
        .map((p) => ({ pid: p.pid, ppid: p.ppid, pgid: p.pgid, cmd: p.cmd.slice(0, 500), gpuMiB: gpuMiB.get(p.pid) ?? null }))
    );
  }

  /** Stops processes the user chose: only vLLM leftovers or processes holding GPU memory. */
  async reap(pids: number[]): Promise<StopReport> {
    const t0 = this.ctx.deps.clock.now();
    const allowed = new Set((await this.leftovers()).map((p) => p.pid));
    const snap = await gpuService(this.ctx).snapshot(0);
    for (const g of snap.gpus) for (const p of g.processes) allowed.add(p.pid);
    const refused = pids.filter((p) => !allowed.has(p));
    if (refused.length) {
      throw new PanelError(
        'not_allowed',
        `Refusing to stop PID ${refused.join(', ')}: not a vLLM process and not using a GPU.`,
        [],
        'pids',
      );
    }
    const procs = await listProcesses(this.ctx.deps.run, this.ctx.deps.platform);
    const targets = procs.filter((p) => pids.includes(p.pid));
    for (const p of targets) safeSignal(p.pid, 'SIGTERM');
    const deadline = t0 + 5000;
    while (targets.some((p) => isAlive(p.pid)) && this.ctx.deps.clock.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const stubborn = targets.filter((p) => isAlive(p.pid));
    for (const p of stubborn) safeSignal(p.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    return {
      killed: targets.map((p) => ({ pid: p.pid, cmd: p.cmd.slice(0, 300), signal: stubborn.includes(p) ? 'SIGKILL' : 'SIGTERM' })),
      survivors: targets.filter((p) => isAlive(p.pid)).map((p) => ({ pid: p.pid, cmd: p.cmd.slice(0, 300) })),
      escalated: stubborn.length > 0,
      durationMs: this.ctx.deps.clock.now() - t0,
      gpuMemoryReleased: null,
    };
  }

  /** One .tar.gz with everything needed to report or reproduce a run (API keys redacted). */
  async bundle(path?: string): Promise<string> {
    const now = this.ctx.deps.clock.now();
    const s = this.supervisor.state;
    const snap = await gpuService(this.ctx)
      .snapshot(2000)
      .catch(() => null);
    const env = Object.fromEntries(Object.entries(this.lastBuild?.env ?? {}).map(([k, v]) => [k, SECRET_ENV.test(k) ? '<redacted>' : v]));
    const log = this.supervisor.logStore
      .entries()
      .map((e) => e.text.replace(API_KEY_RE, '$1<redacted>'))
      .join('\n');
    const diagnosis: DiagnosisDto | null = s.diagnosis ?? (this.supervisor.logStore.size > 0 ? this.supervisor.diagnose(s.exitCode) : null);
    const files = [
      { name: 'vllm.log', data: `${log}\n` },
      {
        name: 'launch.json',
        data: JSON.stringify(
          {
            argv: redactArgv(s.argv.length ? s.argv : (this.lastBuild?.argv ?? [])),
            env,
            profile: this.lastStart?.build.profile ?? this.lastStart?.build.profileId ?? null,
            request: { ...this.lastStart, build: { ...this.lastStart?.build, apiKey: undefined } },
          },
          null,
          2,
        ),
      },
      { name: 'state.json', data: JSON.stringify({ ...s, argv: redactArgv(s.argv) }, null, 2) },
      { name: 'diagnosis.json', data: JSON.stringify(diagnosis, null, 2) },
      { name: 'plan.json', data: JSON.stringify(this.lastPlan ?? null, null, 2) },
      { name: 'gpus.json', data: JSON.stringify(snap, null, 2) },
      {
        name: 'versions.json',
        data: JSON.stringify(
          {
            panel: PANEL_VERSION,
            vllm: s.facts.vllmVersion ?? diagnosis?.vllmVersion ?? null,
            driver: snap?.driverVersion ?? null,
            cuda: snap?.cudaVersion ?? null,
            node: process.versions.node,
            platform: this.ctx.deps.platform,
          },
          null,
          2,
        ),
      },
    ];
    const out =
      path ?? join(this.ctx.deps.paths.dataDir, 'bundles', `vllm-panel-bundle-${new Date(now).toISOString().replace(/[:.]/g, '-')}.tar.gz`);
    await mkdir(join(out, '..'), { recursive: true });
    await writeFile(out, tarGz(files.map((f) => ({ ...f, name: `vllm-panel-bundle/${f.name}`, mtimeMs: now }))));
    return out;
  }
}

function safeSignal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone already
  }
}

const services = new WeakMap<CoreContext, ServerService>();
export function serverService(ctx: CoreContext): ServerService {
  let s = services.get(ctx);
  if (!s) {
    s = new ServerService(ctx);
    services.set(ctx, s);
  }
  return s;
}

export function serverHandlers(ctx: CoreContext): ServerHandlers {
  const svc = serverService(ctx);
  const sup = svc.supervisor;
  return {
    'server:state': async () => {
      await svc.checkAttach();
      return sup.state;
    },
    'server:start': (req) => svc.start(req),
    'server:stop': () => sup.stop(),
    'server:restart': () => svc.restart(),
    'server:leftovers': () => svc.leftovers(),
    'server:reap': ({ pids }) => svc.reap(pids),
    'server:bundle': async (arg) => ({ path: await svc.bundle(arg?.path) }),
    'logs:get': (arg) => {
      const store = sup.logStore;
      const from = Math.max(arg?.fromSeq ?? store.firstSeq, store.firstSeq);
      const limit = arg?.limit ?? 50_000;
      const to = Math.min(store.endSeq, from + limit);
      return { runId: sup.state.runId, entries: store.entries(from, to), firstSeq: store.firstSeq, endSeq: store.endSeq };
    },
    'logs:clear': () => {
      sup.logStore.clear();
      return { ok: true as const };
    },
    'logs:save': async (arg) => {
      const entries = sup.logStore.entries();
      const path =
        arg?.path ??
        join(ctx.deps.paths.dataDir, 'logs', `saved-${new Date(ctx.deps.clock.now()).toISOString().replace(/[:.]/g, '-')}.log`);
      await mkdir(join(path, '..'), { recursive: true });
      await writeFile(path, `${entries.map((e) => e.text.replace(API_KEY_RE, '$1<redacted>')).join('\n')}\n`);
      return { path, lines: entries.length };
    },
    'diagnose:log': ({ text }) => diagnoseLog(text) as DiagnosisDto,
  };
}
