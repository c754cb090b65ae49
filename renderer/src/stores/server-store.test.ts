import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setTransport } from '../api';
import { FakeTransport } from '../api/fake-transport';
import { idleServerState, type ServerStateDto, type StopReport, type UserError } from '../contract';
import { useAppStore } from './app-store';
import { resetGpuStoreForTests, useGpuStore } from './gpu-store';
import { resetLogsStoreForTests, useLogsStore } from './logs-store';
import { type Profile, resetProfileStoreForTests, useProfileStore } from './profile-store';
import { buildStartRequest, diagnosisSeq, resetServerStoreForTests, useServerStore, wireServerStore } from './server-store';

const idle: ServerStateDto = idleServerState();
const starting: ServerStateDto = {
  ...idle,
  status: 'starting',
  runId: 1,
  phase: 'resolve-model',
  startedAt: 1,
  pid: 42,
  phaseStartedAt: { 'resolve-model': 1 },
};
const profile: Profile = {
  id: 'long-context',
  name: 'LONG_CONTEXT',
  builtin: true,
  description: '',
  model: 'nvidia/NVIDIA-Nemotron-Nano-12B-v2',
  flags: { 'max-model-len': 131072 },
  env: {},
  extraArgs: [],
};
const plannerError: UserError = {
  kind: 'planner_predicts_failure',
  message: 'The memory planner predicts this launch will fail: KV cache too small.',
  remedies: [{ label: 'Lower max-model-len to 34480', action: { type: 'set-flag', flag: 'max-model-len', value: 34480 } }],
};
const report: StopReport = {
  killed: [{ pid: 9, cmd: 'vllm', signal: 'SIGTERM' }],
  survivors: [],
  escalated: false,
  durationMs: 10,
  gpuMemoryReleased: null,
};
const flush = () => new Promise((r) => setTimeout(r, 0));

let t: FakeTransport;
beforeEach(() => {
  resetServerStoreForTests();
  resetProfileStoreForTests();
  resetGpuStoreForTests();
  resetLogsStoreForTests();
  useAppStore.setState({ notices: [] });
  useProfileStore.setState({ base: profile, current: profile });
  t = new FakeTransport().handle('command:build', () => ({
    ok: false,
    error: { kind: 'test', message: 'not in this test', remedies: [] },
  }));
  setTransport(t);
});
afterEach(() => {
  resetProfileStoreForTests();
});

describe('server store: start', () => {
  it('sends the current (unsaved) profile, the GPU selection and the runtime', async () => {
    useGpuStore.setState({
      snapshot: {
        at: 0,
        gpus: [{ index: 0 }, { index: 1 }] as never,
        warnings: [],
        driverVersion: null,
        cudaVersion: null,
        nvidiaSmi: null,
      } as never,
      selection: { indices: [1], env: {}, dataParallelSize: 1, issues: [] },
    });
    useProfileStore.setState({ runtime: { id: 'sim', kind: 'sim', label: 'Simulator', argv: [] } as never });
    t.handle('server:start', () => ({ ok: true, value: starting }));
    await useServerStore.getState().start();
    expect(t.calls.find((c) => c.channel === 'server:start')?.arg).toEqual({ build: { profile, gpus: [1] }, runtimeId: 'sim' });
    expect(useServerStore.getState().state?.status).toBe('starting');
    expect(useServerStore.getState().pending).toBeNull();
  });

  it('leaves the GPUs to the core when nvidia-smi found none (simulator)', () => {
    useGpuStore.setState({ selection: { indices: [0], env: {}, dataParallelSize: 1, issues: [] } });
    expect(buildStartRequest()).toEqual({ build: { profile } });
  });

  it('refuses to start before the profiles loaded', async () => {
    useProfileStore.setState({ base: null });
    await useServerStore.getState().start();
    expect(t.calls.some((c) => c.channel === 'server:start')).toBe(false);
    expect(useServerStore.getState().error?.kind).toBe('no_profile');
  });

  it('a planner-predicted failure opens the confirm state; start anyway confirms it', async () => {
    t.handle('server:start', (arg) => (arg?.confirmPlannerFailure ? { ok: true, value: starting } : { ok: false, error: plannerError }));
    await useServerStore.getState().start();
    const c = useServerStore.getState().confirm;
    expect(c).toMatchObject({ kind: 'planner_predicts_failure', error: plannerError, applied: [] });
    expect(useAppStore.getState().notices).toEqual([]); // a dialog, not a notice
    await useServerStore.getState().startAnyway();
    expect(t.calls.filter((c) => c.channel === 'server:start').map((c) => c.arg)).toEqual([
      { build: { profile } },
      { build: { profile }, confirmPlannerFailure: true },
    ]);
    expect(useServerStore.getState().confirm).toBeNull();
    expect(useServerStore.getState().state?.status).toBe('starting');
  });

  it('keeps earlier confirmations when a second check refuses (planner, then GPUs in use)', async () => {
    t.handle('server:start', (arg) => {
      if (!arg?.confirmPlannerFailure) return { ok: false, error: plannerError };
      if (!arg.confirmGpuInUse) return { ok: false, error: { kind: 'gpu_in_use', message: 'GPU 0: PID 7 holds 3 GiB', remedies: [] } };
      return { ok: true, value: starting };
    });
    await useServerStore.getState().start();
    await useServerStore.getState().startAnyway();
    expect(useServerStore.getState().confirm?.kind).toBe('gpu_in_use');
    await useServerStore.getState().startAnyway();
    expect(t.calls.filter((c) => c.channel === 'server:start').at(-1)?.arg).toMatchObject({
      confirmPlannerFailure: true,
      confirmGpuInUse: true,
    });
    expect(useServerStore.getState().state?.status).toBe('starting');
  });

  it('a port in use cannot be started anyway; its remedy changes the profile', async () => {
    t.handle('server:start', () => ({
      ok: false,
      error: {
        kind: 'port_in_use',
        message: 'Port 8000 is in use',
        remedies: [{ label: 'Use port 8001', action: { type: 'set-flag', flag: 'port', value: 8001 } }],
      },
    }));
    await useServerStore.getState().start();
    expect(useServerStore.getState().confirm?.kind).toBe('port_in_use');
    await useServerStore.getState().startAnyway();
    expect(t.calls.filter((c) => c.channel === 'server:start')).toHaveLength(1);
    const remedy = useServerStore.getState().confirm?.error.remedies[0];
    expect(await useServerStore.getState().applyRemedy(remedy!)).toBe(true);
    expect(useProfileStore.getState().current.flags.port).toBe(8001);
    expect(useServerStore.getState().confirm?.applied).toEqual(['Use port 8001']);
  });

  it('after a remedy in the dialog, start anyway sends the changed profile', async () => {
    t.handle('server:start', (arg) => (arg?.confirmPlannerFailure ? { ok: true, value: starting } : { ok: false, error: plannerError }));
    await useServerStore.getState().start();
    await useServerStore.getState().applyRemedy(plannerError.remedies[0]!);
    await useServerStore.getState().startAnyway();
    const last = t.calls.filter((c) => c.channel === 'server:start').at(-1)?.arg as { build: { profile: Profile } };
    expect(last.build.profile.flags['max-model-len']).toBe(34480);
  });

  it('other start errors become a notice and `error`, not a dialog', async () => {
    t.handle('server:start', () => ({
      ok: false,
      error: { kind: 'already_running', message: 'A vLLM server is already ready', remedies: [] },
    }));
    await useServerStore.getState().start();
    expect(useServerStore.getState().confirm).toBeNull();
    expect(useServerStore.getState().error?.kind).toBe('already_running');
    expect(useAppStore.getState().notices.map((n) => n.message)).toEqual(['Could not start vLLM: A vLLM server is already ready']);
  });
});

describe('server store: state, stop, reap, bundle', () => {
  it('follows `server` events and loads state + leftovers on (re)connect', async () => {
    const tc = new FakeTransport('websocket', 'connecting')
      .handle('server:state', () => ({ ok: true, value: starting }))
      .handle('server:leftovers', () => ({ ok: true, value: [{ pid: 77, ppid: 1, pgid: 77, cmd: 'vllm serve x', gpuMiB: 2048 }] }));
    setTransport(tc);
    const off = wireServerStore(tc);
    expect(tc.calls).toEqual([]);
    tc.setStatus({ status: 'open' });
    await flush();
    expect(useServerStore.getState().state?.status).toBe('starting');
    expect(useServerStore.getState().leftovers.map((l) => l.pid)).toEqual([77]);
    tc.emit('server', { ...starting, status: 'ready', readyAt: 5 });
    expect(useServerStore.getState().state?.status).toBe('ready');
    // Reconnect: asks again.
    tc.setStatus({ status: 'reconnecting' });
    tc.setStatus({ status: 'open' });
    await flush();
    expect(tc.calls.filter((c) => c.channel === 'server:state')).toHaveLength(2);
    off();
    expect(tc.listenerCount('server')).toBe(0);
  });

  it('stop calls server:stop and re-reads the state; leaving a running state re-checks leftovers', async () => {
    t.handle('server:stop', () => ({ ok: true, value: report }))
      .handle('server:state', () => ({ ok: true, value: { ...idle, status: 'stopped', runId: 1, lastStop: report } }))
      .handle('server:leftovers', () => ({ ok: true, value: [] }));
    useServerStore.getState().applyState(starting);
    await useServerStore.getState().stop();
    await flush();
    expect(useServerStore.getState().state?.lastStop).toEqual(report);
    expect(t.calls.map((c) => c.channel)).toEqual(expect.arrayContaining(['server:stop', 'server:state', 'server:leftovers']));
  });

  it('reap sends the pids, keeps the report and refreshes leftovers; a kill-process remedy reaps', async () => {
    t.handle('server:reap', () => ({ ok: true, value: report })).handle('server:leftovers', () => ({ ok: true, value: [] }));
    useServerStore.setState({ leftovers: [{ pid: 9, ppid: 1, pgid: 9, cmd: 'vllm', gpuMiB: null }] });
    await useServerStore.getState().reap([9]);
    expect(useServerStore.getState().reapReport).toEqual(report);
    expect(useServerStore.getState().leftovers).toEqual([]);
    await useServerStore.getState().applyRemedy({ label: 'Stop PID 4242', action: { type: 'kill-process', pid: 4242 } });
    expect(t.calls.filter((c) => c.channel === 'server:reap').map((c) => c.arg)).toEqual([{ pids: [9] }, { pids: [4242] }]);
    expect(useServerStore.getState().appliedRemedies).toEqual(['Stop PID 4242']);
  });

  it('a failed reap is an error, and the remedy is not marked applied', async () => {
    t.handle('server:reap', () => ({ ok: false, error: { kind: 'not_allowed', message: 'Refusing to stop PID 1', remedies: [] } })).handle(
      'server:leftovers',
      () => ({ ok: true, value: [] }),
    );
    expect(await useServerStore.getState().applyRemedy({ label: 'Stop PID 1', action: { type: 'kill-process', pid: 1 } })).toBe(false);
    expect(useServerStore.getState().appliedRemedies).toEqual([]);
  });

  it('bundle keeps the path; a new run forgets it and the applied remedies', async () => {
    t.handle('server:bundle', () => ({ ok: true, value: { path: '/data/bundles/b.tar.gz' } }));
    useServerStore.getState().applyState({ ...starting, status: 'failed' });
    await useServerStore.getState().bundle();
    useServerStore.setState({ appliedRemedies: ['x'] });
    expect(useServerStore.getState().bundlePath).toBe('/data/bundles/b.tar.gz');
    useServerStore.getState().applyState({ ...starting, runId: 2 });
    expect(useServerStore.getState().bundlePath).toBeNull();
    expect(useServerStore.getState().appliedRemedies).toEqual([]);
  });

  it('restart with the current profile stops a running server first, then starts', async () => {
    const order: string[] = [];
    t.handle('server:stop', () => {
      order.push('stop');
      return { ok: true, value: report };
    })
      .handle('server:state', () => ({ ok: true, value: idle }))
      .handle('server:leftovers', () => ({ ok: true, value: [] }))
      .handle('server:start', () => {
        order.push('start');
        return { ok: true, value: starting };
      });
    useServerStore.getState().applyState({ ...starting, status: 'ready' });
    await useServerStore.getState().restartWithCurrent();
    expect(order).toEqual(['stop', 'start']);
  });

  it('diagnosisSeq finds the diagnosed line in the log by its text, else by index', () => {
    const e = (seq: number, text: string) => ({
      seq,
      ts: 0,
      stream: 'stderr' as const,
      text,
      level: 'error' as const,
      proc: 'engine' as const,
      procName: '',
    });
    useLogsStore
      .getState()
      .buffer.apply({ runId: 1, entries: [e(0, 'a'), e(1, 'ValueError: too long'), e(2, 'b')], firstSeq: 0, cleared: false });
    expect(diagnosisSeq('ValueError: too long', null)).toBe(1);
    expect(diagnosisSeq('not in the log', 2)).toBe(2);
    expect(diagnosisSeq('', null)).toBeNull();
  });
});
