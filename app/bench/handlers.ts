// Handlers of the bench contract. One benchmark runs at a time per core; bench:run / bench:sweep
// answer at once with the run's id and the work goes on in the background, reported through
// `bench` events (progress is throttled; a partial result follows every level). bench:stop cuts
// the requests in flight, stops a sweep's server and keeps the partial result.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { BenchEventDto, BenchResultDto, BenchRunParsed, BenchSweepParsed } from '../contract/bench';
import { type CoreContext, type Handlers, PanelError } from '../host/context';
import { compareProfiles } from './compare';
import { exportResults } from './export';
import { BenchStore, newBenchId } from './store';
import { checkPrompts, newResult, type RunEnv, runExternal, runSweep } from './sweep';

type BenchHandlers = Pick<
  Handlers,
  'bench:run' | 'bench:sweep' | 'bench:stop' | 'bench:list' | 'bench:get' | 'bench:delete' | 'bench:export'
>;

interface Current {
  id: string;
  controller: AbortController;
  done: Promise<void>;
}

export class BenchService {
  readonly store: BenchStore;
  private current: Current | null = null;

  constructor(private readonly ctx: CoreContext) {
    this.store = new BenchStore(join(ctx.deps.paths.dataDir, 'bench'));
    ctx.onDispose(async () => {
      const c = this.current;
      if (!c) return;
      c.controller.abort();
      await c.done;
    });
  }

  get runningId(): string | null {
    return this.current?.id ?? null;
  }

  /** Resolves when the running benchmark (if any) has finished and been saved. */
  async idle(): Promise<void> {
    await this.current?.done;
  }

  private guard(): void {
    if (this.current) {
      throw new PanelError('bench_running', `A benchmark is already running (${this.current.id}). Stop it first.`, [
        { label: 'Stop the running benchmark' },
      ]);
    }
  }

  private emit = (ev: BenchEventDto) => this.ctx.emit('bench', ev);

  private launch(result: BenchResultDto, work: (re: RunEnv) => Promise<void>): { id: string } {
    const controller = new AbortController();
    const re: RunEnv = { ctx: this.ctx, id: result.id, signal: controller.signal, store: this.store, emit: this.emit };
    const done = (async () => {
      try {
        await this.store.save(result);
        await work(re);
        result.status = controller.signal.aborted ? 'stopped' : 'complete';
        if (controller.signal.aborted) result.message = 'stopped by the user; the numbers cover what finished';
      } catch (err) {
        result.status = 'failed';
        result.message = (err as Error).message;
        for (const p of result.profiles) if (p.status === 'running' || p.status === 'pending') p.status = 'failed';
        if (result.kind === 'sweep') await this.ctx.call('server:stop', undefined).catch(() => undefined);
      }
      result.finishedAt = this.ctx.deps.clock.now();
      try {
        result.comparison = compareProfiles(result);
        await this.store.save(result);
      } catch (err) {
        result.message = `${result.message ? `${result.message}; ` : ''}the result could not be saved: ${(err as Error).message}`;
      }
      this.emit({ type: 'partial', id: result.id, result: structuredClone(result) });
      this.emit({ type: 'finished', id: result.id, status: result.status, message: result.message });
      this.current = null;
    })();
    this.current = { id: result.id, controller, done };
    return { id: result.id };
  }

  async startSweep(req: BenchSweepParsed): Promise<{ id: string }> {
    this.guard();
    const { profiles } = await this.ctx.call('profile:list', undefined);
    const unknown = req.profiles.filter((id) => !profiles.some((p) => p.id === id));
    if (unknown.length) {
      throw new PanelError(
        'unknown_profile',
        `No profile ${unknown.join(', ')} (profiles: ${profiles.map((p) => p.id).join(', ')}).`,
        [],
        'profiles',
      );
    }
    await checkPrompts(req.workload);
    this.guard();
    const now = this.ctx.deps.clock.now();
    const names = req.profiles.map((id) => profiles.find((p) => p.id === id)!.name);
    const result = newResult({
      id: newBenchId(now),
      name: req.name?.trim() || `${names.join(' vs ')} · ${req.levels.mode} ${req.levels.values.join(',')}`,
      kind: 'sweep',
      createdAt: now,
      workload: req.workload,
      levels: req.levels,
      profiles: req.profiles.map((id, i) => ({
        profileId: id,
        profileName: names[i]!,
        status: 'pending',
        message: null,
        levels: [],
        flags: {},
        argv: [],
        vllmVersion: null,
        startupS: null,
      })),
    });
    return this.launch(result, (re) => runSweep(re, req, result));
  }

  async startRun(req: BenchRunParsed): Promise<{ id: string }> {
    this.guard();
    await checkPrompts(req.workload);
    this.guard();
    const now = this.ctx.deps.clock.now();
    const host = (() => {
      try {
        return new URL(req.url).host;
      } catch {
        return req.url;
      }
    })();
    const result = newResult({
      id: newBenchId(now),
      name: req.name?.trim() || `${host} · ${req.load.mode} ${req.load.value}`,
      kind: 'run',
      createdAt: now,
      workload: req.workload,
      levels: { mode: req.load.mode, values: [req.load.value] },
      profiles: [
        {
          profileId: 'external',
          profileName: host,
          status: 'pending',
          message: null,
          levels: [],
          flags: {},
          argv: [],
          vllmVersion: null,
          startupS: null,
        },
      ],
    });
    return this.launch(result, (re) => runExternal(re, req, result));
  }

  stop(): { stopped: boolean; id: string | null } {
    const c = this.current;
    if (!c) return { stopped: false, id: null };
    c.controller.abort();
    return { stopped: true, id: c.id };
  }

  async export(ids: string[], format: 'json' | 'csv' | 'markdown', path?: string) {
    const results = [];
    for (const id of ids) results.push(await this.store.get(id));
    const out = exportResults(results, format);
    if (path) {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, out.text);
    }
    return { ...out, path: path ?? null };
  }
}

const services = new WeakMap<CoreContext, BenchService>();
export function benchService(ctx: CoreContext): BenchService {
  let s = services.get(ctx);
  if (!s) {
    s = new BenchService(ctx);
    services.set(ctx, s);
  }
  return s;
}

export function benchHandlers(ctx: CoreContext): BenchHandlers {
  const svc = benchService(ctx);
  return {
    'bench:run': (req) => svc.startRun(req),
    'bench:sweep': (req) => svc.startSweep(req),
    'bench:stop': () => svc.stop(),
    'bench:list': async () => ({ runs: (await svc.store.list()).runs, running: svc.runningId }),
    'bench:get': ({ id }) => svc.store.get(id),
    'bench:delete': async ({ id }) => {
      if (id === svc.runningId) throw new PanelError('bench_running', 'This benchmark is still running; stop it first.', [], 'id');
      await svc.store.delete(id);
      return { deleted: id };
    },
    'bench:export': ({ ids, format, path }) => svc.export(ids, format, path),
  };
}
