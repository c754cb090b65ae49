import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../main';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), env: {}, interrupted: new Promise<never>(() => {}) },
  };
}

describe('vllm-panel diagnose', () => {
  it('prints one JSON object with the documented fields and exits 1 for a failure', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'diag-'));
    const file = join(dir, 'vllm.log');
    await writeFile(
      file,
      [
        '(APIServer pid=1) INFO 01-17 23:04:45 [api_server.py:1278] vLLM API server version 0.13.0',
        "(EngineCore_DP0 pid=2) ERROR 01-17 23:06:00 [core.py:866] ValueError: To serve at least one request with the model's max seq len (65536), (3.00 GiB KV cache is needed, which is larger than the available KV cache memory (2.36 GiB). Based on the available memory, the estimated maximum model length is 51520. Try increasing `gpu_memory_utilization`.",
        '(APIServer pid=1) RuntimeError: Engine core initialization failed. See root cause above. Failed core proc(s): {}',
      ].join('\n'),
    );
    const t = io();
    expect(await runCli(['diagnose', file, '--json'], t.io)).toBe(1);
    const d = JSON.parse(t.out[0]!);
    expect(d).toMatchObject({
      vllmVersion: '0.13.0',
      outcome: 'failed',
      errorKind: 'kv_cache_too_small_for_max_model_len',
      phase: 'resolve-model',
    });
    expect(d.numbers).toMatchObject({ maxModelLen: 65536, estimatedMaxModelLen: 51520, availableKvGiB: 2.36 });
    expect(d.remedies[0].label).toBe('Relaunch with max-model-len 51520');
    for (const k of ['message', 'attentionBackend', 'model']) expect(d).toHaveProperty(k);
    const human = io();
    await runCli(['diagnose', file], human.io);
    expect(human.out[0]).toContain('Relaunch with max-model-len 51520');
  });

  it('exits 2 with a clear message for a missing file', async () => {
    const t = io();
    expect(await runCli(['diagnose', '/nonexistent/vllm.log'], t.io)).toBe(2);
    expect(t.err[0]).toContain('cannot read /nonexistent/vllm.log: ENOENT');
  });
});
