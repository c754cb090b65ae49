// The supervisor (issue 5): spawns vLLM in its own process group, follows its log into phases,
// decides readiness by GET /health, and stops the WHOLE tree (SIGTERM → grace → SIGKILL to the
// group), then verifies with the process table that nothing survived. Transport-agnostic: it
// reports through `onState` / `onLogs`; the host wires those to events.
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { type DiagnosisDto, idleServerState, type ServerStateDto, type StopReport } from '../contract/server';
import type { Clock, RunCommand } from '../host/deps';
import { diagnoseLog } from './diagnose';
import { type LogBatch, LogStore } from './log/log-store';
import { PhaseTracker } from './phases';
import { isAlive, listProcesses, type ProcInfo, treeOf } from './process-table';

export interface LaunchSpec {
  argv: string[];
  /** Full environment of the child (the builder's env merged over the panel's own). */
  env: Record<string, string | undefined>;
  cwd: string;
  host: string;
  port: number;
  profileId: string | null;
  prediction: ServerStateDto['prediction'];
  /** Flags the run used (for diagnosis remedies). */
  flags: Record<string, unknown>;
}

export interface SupervisorOptions {
  clock: Clock;
  fetch: typeof fetch;
  run?: RunCommand;
  dataDir: string;
  logCapacity: () => number;
  graceMs: () => number;
  onState: (s: ServerStateDto) => void;
  onLogs: (b: LogBatch & { runId: number }) => void;
  /** PIDs currently holding GPU memory (nvidia-smi), or null when unknown. */
  gpuPids?: () => Promise<Set<number> | null>;
  /** Health poll intervals: fast while starting (ready within ~300 ms), slower afterwards. */
  startingPollMs?: number;
  readyPollMs?: number;
}

const idle = idleServerState;

/** What a pidfile says about a server this panel started (for re-attach and leftovers). */
export interface PidFile {
  pid: number;
  pgid: number;
  host: string;
  port: number;
  url: string;
  startedAt: number;
  argv: string[];
  profileId: string | null;
  logFile: string;
}

export class Supervisor {
  private s: ServerStateDto = idle();
  private child: ResultPromise | undefined;
  private logs: LogStore;
  private tracker: PhaseTracker | undefined;
  private healthTimer: unknown;
  private stallTimer: unknown;
  private exited: Promise<void> = Promise.resolve();
  private stopping: Promise<StopReport | null> | undefined;
  private logFile: WriteStream | undefined;
  private spec: LaunchSpec | undefined;
  private healthInFlight = false;

  constructor(private readonly o: SupervisorOptions) {
    this.logs = this.newLogStore();
  }

  get state(): ServerStateDto {
    return this.s;
  }
  get logStore(): LogStore {
    return this.logs;
  }
  get pidFilePath(): string {
    return join(this.o.dataDir, 'server.json');
  }
  get running(): boolean {
    return ['preflight', 'starting', 'ready', 'stopping'].includes(this.s.status);
  }

  private newLogStore(): LogStore {
    const runId = this.s.runId;
    return new LogStore({
      capacity: this.o.logCapacity(),
      now: () => this.o.clock.now(),
      onBatch: (b) => this.o.onLogs({ ...b, runId }),
    });
  }

  private set(patch: Partial<ServerStateDto>): void {
    this.s = { ...this.s, ...patch };
    this.o.onState(this.s);
  }

  /** Marks preflight (the host runs the checks, then calls start or fail). */
  preflight(profileId: string | null): void {
    this.set({ ...idle(), status: 'preflight', runId: this.s.runId + 1, profileId, lastStop: this.s.lastStop });
  }

  /** Ends a preflight that found a blocking problem. */
  preflightFailed(message: string): void {
    this.set({ status: this.s.runId > 0 && this.s.status === 'preflight' ? 'idle' : this.s.status, message });
  }

  async start(spec: LaunchSpec): Promise<ServerStateDto> {
    if (this.child) throw new Error('a server is already running; stop it first');
    this.spec = spec;
    const runId = this.s.status === 'preflight' ? this.s.runId : this.s.runId + 1;
    const now = this.o.clock.now();
    this.s = { ...idle(), runId, lastStop: this.s.lastStop };
    this.logs = this.newLogStore();
    this.tracker = new PhaseTracker(now);
    const url = `http://${spec.host === '0.0.0.0' ? '127.0.0.1' : spec.host.includes(':') ? `[${spec.host}]` : spec.host}:${spec.port}`;
    await mkdir(join(this.o.dataDir, 'logs'), { recursive: true });
    const logPath = join(this.o.dataDir, 'logs', `vllm-${new Date(now).toISOString().replace(/[:.]/g, '-')}.log`);
    this.logFile = createWriteStream(logPath, { flags: 'a' });
    this.logFile.on('error', () => {
      // A full disk must not take the server down with it; the ring buffer still has the lines.
      this.logFile = undefined;
    });
    const [file, ...args] = spec.argv;
    if (!file) throw new Error('empty argv');
    const child = execa(file, args, {
      cwd: spec.cwd,
      env: spec.env,
      extendEnv: false,
      detached: true, // own process group: stop signals the whole tree
      stdin: 'ignore',
      buffer: false,
      reject: false,
      cleanup: false, // we stop it ourselves (and the user may choose "keep running")
      windowsHide: true,
    });
    this.child = child;
    const pid = child.pid ?? null;
    this.set({
      status: 'starting',
      runId,
      profileId: spec.profileId,
      phase: 'resolve-model',
      phaseStartedAt: { 'resolve-model': now },
      startedAt: now,
      pid,
      url,
      host: spec.host,
      port: spec.port,
      argv: spec.argv,
      prediction: spec.prediction,
    });
    this.logs.onLine((entry) => {
      if (!this.tracker) return;
      const before = this.tracker.state.phase;
      if (this.tracker.feed(entry)) {
        const t = this.tracker.state;
        this.set({ phase: t.phase, percent: t.percent, phaseStartedAt: { ...t.startedAt }, facts: { ...t.facts }, stall: null });
        // "Application startup complete" → confirm with /health right away (ready ≤ 300 ms).
        if (t.phase === 'ready' && before !== 'ready') void this.pollHealth();
      }
    });
    const pipe = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      this.logFile?.write(chunk);
      this.logs.ingest(stream, chunk);
    };
    child.stdout?.on('data', pipe('stdout'));
    child.stderr?.on('data', pipe('stderr'));
    if (pid) {
      const pf: PidFile = {
        pid,
        pgid: pid,
        host: spec.host,
        port: spec.port,
        url,
        startedAt: now,
        argv: spec.argv,
        profileId: spec.profileId,
        logFile: logPath,
      };
      await writeFile(this.pidFilePath, JSON.stringify(pf, null, 2)).catch(() => {});
    }
    this.exited = new Promise<void>((resolve) => {
      child.on('exit', (code, signal) => {
        // Streams may still hold data after 'exit'; 'close' follows when they are drained.
        child.once('close', () => {
          this.onExit(code, signal);
          resolve();
        });
      });
      child.on('error', (err) => {
        this.logs.note(`[panel] could not start ${file}: ${err.message}`);
      });
    });
    this.scheduleHealth(this.o.startingPollMs ?? 100);
    this.scheduleStall();
    return this.s;
  }

  private scheduleHealth(ms: number): void {
    this.o.clock.clearTimeout(this.healthTimer);
    this.healthTimer = this.o.clock.setTimeout(() => void this.pollHealth(), ms);
  }

  private scheduleStall(): void {
    this.o.clock.clearInterval(this.stallTimer);
    this.stallTimer = this.o.clock.setInterval(() => {
      if (this.s.status !== 'starting' || !this.tracker) return;
      const st = this.tracker.stall(this.o.clock.now());
      if (st && (!this.s.stall || this.s.stall.phase !== st.phase || st.seconds - this.s.stall.seconds > 30)) this.set({ stall: st });
    }, 5000);
  }

  private async pollHealth(): Promise<void> {
    if (!this.child || !this.s.url || this.healthInFlight) return;
    if (this.s.status !== 'starting' && this.s.status !== 'ready') return;
    this.healthInFlight = true;
    let ok = false;
    let code = 0;
    try {
      const r = await this.o.fetch(`${this.s.url}/health`, { signal: AbortSignal.timeout(2000) });
      code = r.status;
      ok = r.status === 200;
      await r.body?.cancel().catch(() => {});
    } catch {
      ok = false; // connection refused while loading: normal
    } finally {
      this.healthInFlight = false;
    }
    if (!this.child) return;
    if (ok && this.s.status === 'starting') {
      this.tracker?.advance('ready', this.o.clock.now());
      this.set({
        status: 'ready',
        readyAt: this.o.clock.now(),
        phase: 'ready',
        percent: null,
        stall: null,
        phaseStartedAt: { ...this.tracker?.state.startedAt },
      });
    } else if (!ok && code === 503 && this.s.status === 'ready') {
      this.set({ message: 'vLLM reports its engine is dead (/health 503).' });
    }
    this.scheduleHealth(
      this.s.status === 'ready' ? (this.o.readyPollMs ?? 5000) : this.s.phase === 'ready' ? 50 : (this.o.startingPollMs ?? 100),
    );
  }

  private onExit(code: number | null, signal: string | null): void {
    this.logs.end();
    this.logFile?.end();
    this.logFile = undefined;
    this.o.clock.clearTimeout(this.healthTimer);
    this.o.clock.clearInterval(this.stallTimer);
    this.child = undefined;
    void rm(this.pidFilePath, { force: true });
    const was = this.s.status;
    const base = { exitCode: code, signal, endedAt: this.o.clock.now(), pid: null, stall: null };
    if (was === 'stopping') {
      this.set({ ...base, status: 'stopped' });
      return;
    }
    const diagnosis = this.diagnose(code);
    if (was === 'ready')
      this.set({
        ...base,
        status: 'crashed',
        diagnosis: {
          ...diagnosis,
          outcome: 'running-then-died',
          errorKind: diagnosis.errorKind === 'none' ? 'engine_died' : diagnosis.errorKind,
        },
      });
    else this.set({ ...base, status: 'failed', diagnosis });
  }

  diagnose(exitCode?: number | null): DiagnosisDto {
    const d = diagnoseLog(
      this.logs.entries().map((e) => e.text),
      { exitCode: exitCode ?? null, flags: this.spec?.flags },
    );
    return d as DiagnosisDto;
  }

  /**
   * Stops the whole process tree: SIGTERM to the group, wait up to the grace period, SIGKILL to
   * the group, then check the process table (and nvidia-smi) that nothing of it is left.
   */
  stop(): Promise<StopReport | null> {
    if (!this.child) return Promise.resolve(null);
    this.stopping ??= this.doStop().finally(() => {
      this.stopping = undefined;
    });
    return this.stopping;
  }

  private async doStop(): Promise<StopReport> {
    const child = this.child!;
    const pid = child.pid!;
    const t0 = this.o.clock.now();
    this.set({ status: 'stopping' });
    const before = treeOf(await listProcesses(this.o.run), pid, pid);
    this.logs.note(`[panel] stopping: SIGTERM to process group ${pid} (${before.length} processes)`);
    signalGroup(pid, 'SIGTERM');
    const graceMs = this.o.graceMs();
    const termDone = await waitUntil(async () => !isAlive(pid) && (await groupGone(pid, before, this.o.run)), graceMs, this.o.clock);
    let escalated = false;
    if (!termDone) {
      escalated = true;
      this.logs.note(`[panel] still running after ${Math.round(graceMs / 1000)} s: SIGKILL to process group ${pid}`);
      signalGroup(pid, 'SIGKILL');
      // Children that left the group (setsid) are killed one by one.
      for (const p of before) if (p.pgid !== pid && isAlive(p.pid)) safeKill(p.pid, 'SIGKILL');
      await waitUntil(async () => groupGone(pid, before, this.o.run), 5000, this.o.clock);
    }
    await Promise.race([this.exited, sleep(2000, this.o.clock)]);
    const after = new Map((await listProcesses(this.o.run, process.platform, false)).map((p) => [p.pid, p]));
    const survivors = before.filter((p) => sameProcess(p, after.get(p.pid)));
    let gpuMemoryReleased: boolean | null = null;
    if (this.o.gpuPids) {
      // GPU memory release is asynchronous after the process is gone: give the driver a moment.
      const ok = await waitUntil(
        async () => {
          const pids = await this.o.gpuPids!();
          if (pids === null) return true;
          return before.every((p) => !pids.has(p.pid));
        },
        5000,
        this.o.clock,
      );
      gpuMemoryReleased = (await this.o.gpuPids()) === null ? null : ok;
    }
    const report: StopReport = {
      killed: before.map((p) => ({ pid: p.pid, cmd: p.cmd.slice(0, 300), signal: escalated && !termDone ? 'SIGKILL' : 'SIGTERM' })),
      survivors: survivors.map((p) => ({ pid: p.pid, cmd: p.cmd.slice(0, 300) })),
      escalated,
      durationMs: this.o.clock.now() - t0,
      gpuMemoryReleased,
    };
    this.logs.note(
      `[panel] stopped ${before.length} processes in ${report.durationMs} ms${escalated ? ' (needed SIGKILL)' : ''}; survivors: ${survivors.length}`,
    );
    this.logs.flush();
    this.set({ lastStop: report });
    return report;
  }

  /** Forgets a finished run's outcome (back to idle) without touching logs. */
  reset(): void {
    if (!this.child) this.set({ ...idle(), runId: this.s.runId, lastStop: this.s.lastStop });
  }

  /** Marks a server found via the pidfile as attached (no log stream; health-polled). */
  attach(pf: PidFile): void {
    this.set({
      ...idle(),
      status: 'ready',
      runId: this.s.runId + 1,
      attached: true,
      pid: pf.pid,
      url: pf.url,
      host: pf.host,
      port: pf.port,
      argv: pf.argv,
      profileId: pf.profileId,
      startedAt: pf.startedAt,
    });
  }

  async dispose(keepRunning: boolean): Promise<void> {
    this.o.clock.clearTimeout(this.healthTimer);
    this.o.clock.clearInterval(this.stallTimer);
    if (this.child && !keepRunning) await this.stop();
    if (this.child && keepRunning) {
      // Leave it running; the pidfile lets the next panel session re-attach.
      this.child.stdout?.destroy();
      this.child.stderr?.destroy();
      this.child.unref();
    }
  }
}

function signalGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    safeKill(pgid, sig);
  }
}

function safeKill(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** Same pid and same start time = the same process (a reused pid has a later start). */
const sameProcess = (a: ProcInfo, b: ProcInfo | undefined) => b !== undefined && (a.start !== '' ? a.start === b.start : a.cmd === b.cmd);

async function groupGone(pgid: number, before: readonly ProcInfo[], run?: RunCommand): Promise<boolean> {
  const now = await listProcesses(
    run,
    process.platform,
    before.some((p) => p.start === ''),
  );
  const byPid = new Map(now.map((p) => [p.pid, p]));
  if (now.some((p) => p.pgid === pgid)) return false;
  return before.every((p) => !sameProcess(p, byPid.get(p.pid)));
}

function sleep(ms: number, clock: Clock): Promise<void> {
  return new Promise((r) => clock.setTimeout(r, ms));
}

async function waitUntil(cond: () => Promise<boolean>, timeoutMs: number, clock: Clock): Promise<boolean> {
  const end = clock.now() + timeoutMs;
  for (;;) {
    if (await cond()) return true;
    if (clock.now() >= end) return false;
    await sleep(Math.min(50, Math.max(1, end - clock.now())), clock);
  }
}
