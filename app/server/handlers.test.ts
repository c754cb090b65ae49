// Integration: the real core (server handlers, supervisor, profiles, planner, runtime detection)
// driving the bundled simulator as its vLLM runtime.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventMessage } from '../contract/index';
import type { ServerStateDto } from '../contract/server';
import type { Core } from '../host/core';
import { makeTestCore } from '../test-support/core';
import { ensureSimBuilt } from '../test-support/sim-build';
import { isAlive } from './process-table';

let core: Core;
let cleanup: () => Promise<void>;
let simBundle: string;
const states: ServerStateDto[] = [];

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

async function until(cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out; last state: ${JSON.stringify(states.at(-1)?.status)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
const last = () => states.at(-1);

beforeAll(async () => {
  simBundle = await ensureSimBuilt();
  const t = await makeTestCore({
    // No vLLM on PATH, no conda: the simulator is the only runtime. Fast startup.
    env: {
      PATH: '/usr/bin:/bin',
      HOME: '/nonexistent-home',
      VLLM_SIM_SPEED: '40',
      FAKE_NVIDIA_SMI_FIXTURE: 'none',
      VLLM_PANEL_NVIDIA_SMI: '/nonexistent/nvidia-smi',
    },
  });
  core = t.core;
  cleanup = t.cleanup;
  core.subscribe((e: EventMessage) => {
    if (e.channel === 'server') states.push(e.payload);
  });
}, 60_000);

afterEach(async () => {
  // Whatever a test left running is stopped before the next one (one server at a time).
  await core.invoke('server:stop', undefined);
});

afterAll(async () => {
  await core.invoke('server:stop', undefined);
  await cleanup();
});

describe('server handlers with the simulator', () => {
  it('starts LOW_LATENCY, follows phases to ready, serves logs, and stops the whole tree', async () => {
    const port = await freePort();
    const r = await core.invoke('server:start', { build: { profileId: 'low-latency', overrides: { port } } });
    expect(r.ok ? r.value.status : r.error).toBe('starting');
    await until(() => last()?.status === 'ready');
    const ready = last()!;
    expect(ready.url).toBe(`http://127.0.0.1:${port}`);
    expect(ready.facts.architecture).toBe('NemotronHForCausalLM');
    expect(ready.facts.gpuKvCacheTokens).toBeGreaterThan(0);
    expect(ready.prediction?.verdict).toMatch(/fits|tight/);
    expect(states.some((s) => s.phase === 'load-weights')).toBe(true);
    expect(ready.argv[0]).toBe(process.execPath);
    expect(ready.argv).toContain(simBundle);
    const logs = await core.invoke('logs:get', undefined);
    expect(logs.ok && logs.value.entries.some((e) => e.text.includes('Application startup complete.'))).toBe(true);
    // A second start on a running server is refused.
    const again = await core.invoke('server:start', { build: { profileId: 'low-latency', overrides: { port } } });
    expect(again.ok ? 'started twice' : again.error.kind).toBe('already_running');
    const stop = await core.invoke('server:stop', undefined);
    expect(stop.ok && stop.value?.survivors).toEqual([]);
    expect(stop.ok && stop.value!.killed.length).toBeGreaterThanOrEqual(2); // API server + EngineCore
    await until(() => last()?.status === 'stopped');
  }, 60_000);

  it('asks before a launch the planner predicts will fail; confirmed, it fails with the diagnosis and a bundle', async () => {
    const port = await freePort();
    // 131072 tokens need ~3.2 GiB of KV per request; at 0.7 utilisation an A100-40GB has ~2 GiB left after weights.
    const build = {
      profileId: 'long-context',
      overrides: { port, 'max-model-len': 131072, 'kv-cache-dtype': 'auto', 'gpu-memory-utilization': 0.7 },
    };
    const refused = await core.invoke('server:start', { build });
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.error.kind).toBe('planner_predicts_failure');
    expect(refused.error.remedies.length).toBeGreaterThan(0);
    const started = await core.invoke('server:start', { build, confirmPlannerFailure: true });
    expect(started.ok).toBe(true);
    await until(() => last()?.status === 'failed');
    const d = last()!.diagnosis!;
    expect(['kv_cache_too_small_for_max_model_len', 'mamba_cache_blocks_exceeded', 'no_kv_cache_memory']).toContain(d.errorKind);
    expect(d.remedies.some((x) => x.action?.type === 'set-flag')).toBe(true);
    const b = await core.invoke('server:bundle', undefined);
    expect(b.ok).toBe(true);
    if (!b.ok) return;
    const tar = gunzipSync(readFileSync(b.value.path)).toString('latin1');
    for (const f of ['vllm.log', 'launch.json', 'diagnosis.json', 'plan.json', 'versions.json'])
      expect(tar).toContain(`vllm-panel-bundle/${f}`);
    expect(tar).toContain(d.errorKind);
  }, 60_000);

  it('refuses a busy port and names the process holding it', async () => {
    const port = await freePort();
    const blocker: Server = createServer().listen(port, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    try {
      const r = await core.invoke('server:start', { build: { profileId: 'low-latency', overrides: { port } } });
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.kind).toBe('port_in_use');
      if (process.platform === 'linux') expect(r.error.message).toContain(`PID ${process.pid}`);
      expect(r.error.remedies[0]!.action).toEqual({ type: 'set-flag', flag: 'port', value: port + 1 });
    } finally {
      blocker.close();
    }
  }, 30_000);

  it('finds a leftover vLLM process from an earlier run and reaps it', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [simBundle, 'serve', 'leftover-model', '--port', String(port)], {
      env: { ...process.env, NODE_OPTIONS: '', VLLM_SIM_SPEED: '40' },
      stdio: 'ignore',
      detached: true,
    });
    child.unref();
    const pid = child.pid!;
    try {
      let found = false;
      for (let i = 0; i < 40 && !found; i++) {
        const l = await core.invoke('server:leftovers', undefined);
        found = l.ok && l.value.some((p) => p.pid === pid);
        if (!found) await new Promise((r) => setTimeout(r, 100));
      }
      expect(found).toBe(true);
      const refused = await core.invoke('server:reap', { pids: [process.pid] });
      expect(refused.ok ? 'reaped the test runner' : refused.error.kind).toBe('not_allowed');
      const r = await core.invoke('server:reap', { pids: [pid] });
      expect(r.ok && r.value.survivors).toEqual([]);
      expect(isAlive(pid)).toBe(false);
    } finally {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }, 30_000);
});

/** `vllm-panel run --runtime sim --profile LOW_LATENCY` on `port`, from source, in its own panel home. */
function spawnRun(port: number, name: string, stdio: ('ignore' | 'pipe')[]) {
  const home = join(simBundle, '..', '..', 'node_modules', '.cache', `${name}-${process.pid}`);
  return spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(__dirname, '..', 'cli', 'bin.ts'),
      'run',
      '--runtime',
      'sim',
      '--profile',
      'LOW_LATENCY',
      '--set',
      `port=${port}`,
    ],
    {
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        VLLM_PANEL_HOME: home,
        VLLM_SIM_SPEED: '40',
        VLLM_PANEL_NVIDIA_SMI: '/nonexistent/nvidia-smi',
      },
      stdio: stdio as ['ignore', 'pipe', 'pipe'],
    },
  );
}

describe('vllm-panel run with the simulator', () => {
  it('prints phases and the ready URL, and Ctrl-C stops the tree (exit 0)', async () => {
    const port = await freePort();
    const child = spawnRun(port, 'run-test', ['ignore', 'pipe', 'pipe']);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    await until(() => out.includes(`ready at http://127.0.0.1:${port}`), 40_000);
    expect(out).toMatch(/starting · Load weights/);
    child.kill('SIGINT');
    expect(await exit).toBe(0);
    expect(out).toMatch(/stopped \d+ processes in \d+ ms.*survivors: 0/);
  }, 60_000);
});

describe('vllm-panel run when its output pipe closes', () => {
  it('stops the server tree instead of orphaning it (`run | head -3`)', async () => {
    const port = await freePort();
    const child = spawnRun(port, 'run-epipe', ['ignore', 'pipe', 'ignore']);
    let out = '';
    const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.stdout.on('data', (d) => {
      out += d;
    });
    // Like `head -1`: the reader leaves after the first line, while the server is still starting.
    await until(() => out.includes('starting'), 40_000);
    child.stdout.destroy();
    // The next progress line hits EPIPE; the CLI must stop the tree it started and exit.
    await exit;
    const { listProcesses } = await import('./process-table');
    const left = (await listProcesses()).filter((p) => p.cmd.includes('sim.js') && p.cmd.includes(`--port ${port}`));
    expect(left.map((p) => p.cmd)).toEqual([]);
  }, 60_000);
});
