import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerStateDto } from '../contract/server';
import { realClock } from '../host/deps';
import { listProcesses } from './process-table';
import { type LaunchSpec, Supervisor } from './supervisor';

const FAKE = join(__dirname, 'fixtures', 'fake-vllm.mjs');
const live: Supervisor[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const s of live.splice(0)) await s.dispose(false);
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

async function make(graceMs = 3000) {
  const dir = await mkdtemp(join(tmpdir(), 'sup-'));
  dirs.push(dir);
  const states: ServerStateDto[] = [];
  const sup = new Supervisor({
    clock: realClock,
    fetch: globalThis.fetch,
    dataDir: dir,
    logCapacity: () => 1000,
    graceMs: () => graceMs,
    onState: (s) => states.push(s),
    onLogs: () => {},
    startingPollMs: 50,
  });
  live.push(sup);
  return { sup, states };
}

async function spec(marker: string, env: Record<string, string> = {}): Promise<LaunchSpec> {
  const port = await freePort();
  return {
    argv: [process.execPath, FAKE, 'serve', 'fake', '--port', String(port), marker],
    // No NODE_OPTIONS: a test runner's loader hooks (and their signal handlers) must not leak in.
    env: { ...process.env, NODE_OPTIONS: undefined, FAKE_MARKER: marker, ...env },
    cwd: tmpdir(),
    host: '127.0.0.1',
    port,
    profileId: 'throughput',
    prediction: null,
    flags: { 'max-model-len': 65536 },
  };
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const count = async (marker: string) => (await listProcesses()).filter((p) => p.cmd.includes(marker)).length;

describe('Supervisor against a fake vLLM', () => {
  it('starts, follows phases, becomes ready by /health, and stops the whole tree', async () => {
    const { sup, states } = await make();
    const marker = `m-${process.pid}-a`;
    await sup.start(await spec(marker));
    await until(() => sup.state.status === 'ready');
    expect(states.map((s) => s.status)).toContain('starting');
    expect(sup.state.facts.vllmVersion).toBe('0.13.0');
    expect(sup.state.facts.architecture).toBe('NemotronHForCausalLM');
    expect(await count(marker)).toBe(2); // API server + engine
    // The tqdm frames became one log line.
    expect(sup.logStore.entries().filter((e) => e.text.startsWith('Loading safetensors'))).toHaveLength(1);
    const report = await sup.stop();
    expect(report!.escalated).toBe(false);
    expect(report!.killed).toHaveLength(2);
    expect(report!.survivors).toEqual([]);
    await until(() => sup.state.status === 'stopped');
    expect(await count(marker)).toBe(0);
  });

  it('escalates to SIGKILL for children that ignore SIGTERM, within grace + 1 s', async () => {
    const { sup } = await make(800);
    const marker = `m-${process.pid}-b`;
    await sup.start(await spec(marker, { FAKE_IGNORE_TERM: '1' }));
    await until(() => sup.state.status === 'ready');
    const t0 = Date.now();
    const report = await sup.stop();
    expect(Date.now() - t0).toBeLessThan(800 + 1000);
    expect(report!.escalated).toBe(true);
    expect(report!.killed.every((k) => k.signal === 'SIGKILL')).toBe(true);
    expect(report!.survivors).toEqual([]);
    expect(await count(marker)).toBe(0);
  });

  it('a failed start ends in `failed` with the diagnosis and remedy', async () => {
    const { sup } = await make();
    await sup.start(await spec(`m-${process.pid}-c`, { FAKE_FAIL: 'kv' }));
    await until(() => sup.state.status === 'failed');
    expect(sup.state.exitCode).toBe(1);
    expect(sup.state.diagnosis).toMatchObject({ errorKind: 'kv_cache_too_small_for_max_model_len' });
    expect(sup.state.diagnosis!.remedies[0]!.action).toEqual({ type: 'set-flag', flag: 'max-model-len', value: 51520 });
  });

  it('an engine death after ready is a crash with engine_died', async () => {
    const { sup } = await make();
    await sup.start(await spec(`m-${process.pid}-d`, { FAKE_CRASH_AFTER_MS: '400' }));
    await until(() => sup.state.status === 'crashed');
    expect(sup.state.diagnosis).toMatchObject({ outcome: 'running-then-died', errorKind: 'engine_died' });
  });

  it('20 start/stop/crash cycles leave no orphans', async () => {
    const marker = `m-${process.pid}-cycles`;
    for (let i = 0; i < 20; i++) {
      const { sup } = await make(500);
      const kind = i % 3;
      await sup.start(await spec(marker, kind === 1 ? { FAKE_IGNORE_TERM: '1' } : kind === 2 ? { FAKE_FAIL: 'kv' } : {}));
      if (kind === 2) await until(() => sup.state.status === 'failed');
      else {
        await until(() => sup.state.status === 'ready');
        await sup.stop();
      }
    }
    expect(await count(marker)).toBe(0);
  }, 60_000);
});
