// The simulator's process tree behaves like vLLM's (vllm-runtime.md §5–6): a real EngineCore child
// (and Worker_TPk grandchildren) that die with their parent, graceful SIGTERM, a stuck tree that
// only SIGKILL ends (VLLM_SIM_IGNORE_SIGTERM), an engine crash, a hang.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { type SimRun, startSim, stripAnsi, waitUntil } from './testing/harness';

const MODEL = 'nvidia/NVIDIA-Nemotron-Nano-12B-v2';
const ARGS = ['serve', MODEL, '--max-model-len', '8192'];
const runs: SimRun[] = [];
afterEach(() => {
  for (const r of runs.splice(0)) r.killGroup('SIGKILL');
});
async function start(args: string[] = ARGS, env: NodeJS.ProcessEnv = {}) {
  const r = await startSim(args, { env });
  runs.push(r);
  return r;
}

/** Alive and not a zombie (an orphan's zombie may linger until its new parent reaps it). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('process tree', () => {
  it('starts a real EngineCore child that dies within 2 s when the API server is SIGKILLed', async () => {
    const r = await start();
    expect(await r.waitReady()).toBe(true);
    const [engine] = r.pidsOf(/EngineCore_DP0/);
    expect(engine).toBeGreaterThan(0);
    expect(engine).not.toBe(r.pid);
    expect(running(engine!)).toBe(true);
    process.kill(r.pid, 'SIGKILL');
    expect(await waitUntil(() => !running(engine!), 2000)).toBe(true);
  });

  it('tensor parallel: workers are grandchildren and go down with the tree', async () => {
    const r = await start([...ARGS, '--tensor-parallel-size', '2'], { VLLM_SIM_GPUS: 'A100-40GB:2' });
    expect(await r.waitReady()).toBe(true);
    const workers = [...r.pidsOf(/Worker_TP0/), ...r.pidsOf(/Worker_TP1/)];
    expect(workers).toHaveLength(2);
    const [engine] = r.pidsOf(/EngineCore_DP0/);
    process.kill(r.pid, 'SIGKILL');
    expect(await waitUntil(() => ![engine!, ...workers].some(running), 2000)).toBe(true);
    expect(stripAnsi(r.output())).toMatch(
      /\(Worker_TP1 pid=\d+\) INFO .*\[multiproc_executor\.py:\d+\] Parent process exited, terminating worker/,
    );
  });

  it('SIGTERM shuts down gracefully with the uvicorn lines and exit 0', async () => {
    const r = await start();
    expect(await r.waitReady()).toBe(true);
    const [engine] = r.pidsOf(/EngineCore_DP0/);
    process.kill(r.pid, 'SIGTERM');
    const { code } = await r.exited;
    expect(code).toBe(0);
    const out = stripAnsi(r.output());
    const tail = out.slice(out.indexOf('Shutting down FastAPI HTTP server.'));
    expect(tail).toMatch(/Shutting down FastAPI HTTP server\.\n/);
    const order = [
      'INFO:     Shutting down',
      'INFO:     Waiting for application shutdown.',
      'INFO:     Application shutdown complete.',
    ].map((s) => tail.indexOf(s));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(await waitUntil(() => !running(engine!), 2000)).toBe(true);
  });

  it('VLLM_SIM_IGNORE_SIGTERM: SIGTERM to the group ends nothing, SIGKILL ends everything', async () => {
    const r = await start(ARGS, { VLLM_SIM_IGNORE_SIGTERM: '1' });
    expect(await r.waitReady()).toBe(true);
    const [engine] = r.pidsOf(/EngineCore_DP0/);
    r.killGroup('SIGTERM');
    await new Promise((res) => setTimeout(res, 1500));
    expect(running(r.pid)).toBe(true);
    expect(running(engine!)).toBe(true);
    expect((await fetch(`${r.baseUrl}/health`)).status).toBe(200);
    r.killGroup('SIGKILL');
    expect(await waitUntil(() => !running(r.pid) && !running(engine!), 2000)).toBe(true);
    expect((await r.exited).signal).toBe('SIGKILL');
  });

  it('VLLM_SIM_CRASH_AFTER_S: engine dies → "died unexpectedly", /health 503, exit 1 (vllm-logs 04)', async () => {
    const r = await start(ARGS, { VLLM_SIM_CRASH_AFTER_S: '0.5', VLLM_SIM_SPEED: '2' });
    expect(await r.waitReady()).toBe(true);
    expect(await r.waitFor('died unexpectedly', 5000)).toBe(true);
    expect(stripAnsi(r.output())).toMatch(
      /\(APIServer pid=\d+\) ERROR \d\d-\d\d \d\d:\d\d:\d\d \[core_client\.py:\d+\] Engine core proc EngineCore_DP0 died unexpectedly, shutting down client\./,
    );
    const health = await fetch(`${r.baseUrl}/health`).then(
      (x) => x.status,
      () => 0,
    );
    expect(health).toBe(503);
    const { code } = await r.exited;
    expect(code).toBe(1);
    expect(r.stderr()).toMatch(/KeyError: '\/psm_[0-9a-f]{8}'/);
  });

  it('VLLM_SIM_HANG_AT=load-weights stops mid-bar and never becomes ready; SIGTERM still ends it', async () => {
    const r = await start(ARGS, { VLLM_SIM_HANG_AT: 'load-weights' });
    expect(await r.waitFor('Loading safetensors checkpoint shards:  60% Completed', 10_000)).toBe(true);
    await new Promise((res) => setTimeout(res, 800));
    expect(stripAnsi(r.output())).not.toContain('Loading weights took');
    expect(
      await fetch(`${r.baseUrl}/health`).then(
        (x) => x.status,
        () => 0,
      ),
    ).toBe(0);
    process.kill(r.pid, 'SIGTERM');
    expect((await r.exited).code).toBe(0);
  });

  it('VLLM_SIM_ORPHAN_CHILDREN: the engine outlives a SIGKILLed API server until the group is killed', async () => {
    const r = await start(ARGS, { VLLM_SIM_ORPHAN_CHILDREN: '1' });
    expect(await r.waitReady()).toBe(true);
    const [engine] = r.pidsOf(/EngineCore_DP0/);
    process.kill(r.pid, 'SIGKILL');
    await new Promise((res) => setTimeout(res, 1000));
    expect(running(engine!)).toBe(true);
    r.killGroup('SIGKILL');
    expect(await waitUntil(() => !running(engine!), 2000)).toBe(true);
  });

  it('data parallel: one EngineCore_DPn per rank, requests spread, metrics per engine', async () => {
    const r = await start([...ARGS, '--data-parallel-size', '2'], { VLLM_SIM_GPUS: 'A100-40GB:2' });
    expect(await r.waitReady()).toBe(true);
    const engines = [...r.pidsOf(/EngineCore_DP0/), ...r.pidsOf(/EngineCore_DP1/)];
    expect(new Set(engines).size).toBe(2);
    await Promise.all(
      Array.from({ length: 4 }, () =>
        fetch(`${r.baseUrl}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ messages: [{ role: 'user', content: 'hello' }], max_tokens: 30, ignore_eos: true }),
        }).then((x) => x.json()),
      ),
    );
    const metrics = await (await fetch(`${r.baseUrl}/metrics`)).text();
    for (const e of ['0', '1']) {
      const m = new RegExp(`^vllm:generation_tokens_total\\{engine="${e}",[^}]*\\} (\\S+)$`, 'm').exec(metrics);
      expect(Number(m?.[1])).toBe(60);
    }
  });

  it('VLLM_SIM_LOG_FLOOD writes access-log-shaped lines at the asked rate', async () => {
    const r = await start(ARGS, { VLLM_SIM_LOG_FLOOD: '2000' });
    expect(await r.waitReady()).toBe(true);
    const count = () => (r.stdout().match(/"GET \/metrics HTTP\/1\.1" 200 OK\n/g) ?? []).length;
    const before = count();
    await new Promise((res) => setTimeout(res, 1000));
    const lines = count() - before;
    expect(lines).toBeGreaterThan(1000);
    expect(lines).toBeLessThan(3000);
  });
});
