import { describe, expect, it } from 'vitest';
import { type CostParams, stepSeconds } from './cost-model';
import { type EngineRequest, FINISH_LENGTH, FINISH_STOP, Scheduler, type SchedulerConfig } from './scheduler';

const base: SchedulerConfig = {
  maxNumSeqs: 4,
  maxNumBatchedTokens: 64,
  chunkedPrefill: true,
  blockSize: 16,
  numGpuBlocks: 1000,
  stateBlocksPerSeq: 0,
  prefixCaching: false,
  maxModelLen: 4096,
};

const req = (id: number, promptLen: number, out: number, extra: Partial<EngineRequest> = {}): EngineRequest => ({
  id,
  promptLen,
  hashes: [],
  maxTokens: 1000,
  eosAt: out,
  arrival: 0,
  ...extra,
});

describe('engine scheduler', () => {
  it('chunks a long prefill over the token budget, then decodes one token per step', () => {
    const s = new Scheduler(base);
    s.add(req(1, 150, 3));
    const r1 = s.step(1);
    expect(r1.scheduledTokens).toBe(64);
    expect(r1.outputs).toEqual([]);
    s.step(2);
    const r3 = s.step(3); // 150 = 64 + 64 + 22 → first token in step 3
    expect(r3.scheduledTokens).toBe(22);
    expect(r3.outputs).toEqual([1, 1, 0]);
    expect(s.step(4).outputs).toEqual([1, 1, 0]);
    const last = s.step(5);
    expect(last.outputs).toEqual([1, 1, FINISH_STOP]);
    expect(last.finished[0]).toMatchObject({ id: 1, generated: 3, firstScheduled: 1, firstToken: 3 });
    expect(s.idle).toBe(true);
  });

  it('without chunked prefill a prompt waits until it fits the budget', () => {
    const s = new Scheduler({ ...base, chunkedPrefill: false, maxNumBatchedTokens: 100 });
    s.add(req(1, 60, 5));
    s.add(req(2, 60, 5));
    const r = s.step(0);
    expect(r.scheduledTokens).toBe(60);
    expect(s.numWaiting).toBe(1);
  });

  it('caps concurrency at max_num_seqs and stops at max_tokens', () => {
    const s = new Scheduler({ ...base, maxNumBatchedTokens: 1000 });
    for (let i = 0; i < 6; i++) s.add(req(i, 10, 100, { maxTokens: 2 }));
    s.step(0);
    expect(s.numRunning).toBe(4);
    expect(s.numWaiting).toBe(2);
    const r = s.step(1);
    expect(r.finished.map((f) => f.reason)).toEqual([FINISH_LENGTH, FINISH_LENGTH, FINISH_LENGTH, FINISH_LENGTH]);
  });

  it('preempts the newest running request when KV blocks run out, and it recomputes later', () => {
    // 6 blocks of 16 tokens: two requests of 40 prompt tokens (3 blocks each) fill the pool.
    const s = new Scheduler({ ...base, numGpuBlocks: 6, maxNumBatchedTokens: 200 });
    s.add(req(1, 40, 20));
    s.add(req(2, 40, 20));
    s.step(0);
    expect(s.numRunning).toBe(2);
    let preempted = 0;
    for (let t = 1; t < 30 && preempted === 0; t++) preempted += s.step(t).preemptions;
    expect(preempted).toBe(1);
    expect(s.numRunning).toBe(1);
    expect(s.numWaiting).toBe(1);
    let done = 0;
    for (let t = 30; t < 200 && !s.idle; t++) done += s.step(t).finished.length;
    expect(done).toBe(2);
    expect(s.kvUsage).toBe(0);
  });

  it('hits the prefix cache for a repeated prompt, in full blocks', () => {
    const hashes = [11, 22, 33, 44];
    const s = new Scheduler({ ...base, prefixCaching: true, maxNumBatchedTokens: 1000 });
    s.add(req(1, 70, 1, { hashes }));
    const a = s.step(0);
    expect(a.prefixQueries).toBe(70);
    expect(a.prefixHits).toBe(0);
    s.add(req(2, 70, 1, { hashes }));
    const b = s.step(1);
    expect(b.prefixHits).toBe(64);
    expect(b.scheduledTokens).toBe(6);
    // Fully cached prompt: the last token is still recomputed.
    s.add(req(3, 64, 1, { hashes }));
    const c = s.step(2);
    expect(c.prefixHits).toBe(48);
  });

  it('frees aborted requests', () => {
    const s = new Scheduler(base);
    s.add(req(1, 30, 50));
    s.step(0);
    expect(s.kvUsage).toBeGreaterThan(0);
    expect(s.abort(1)).toBe(true);
    expect(s.kvUsage).toBe(0);
    expect(s.abort(1)).toBe(false);
  });
});

// Nemotron-Nano-12B-v2 on one A100-40GB (nemotron.md §1, §4): 24.6 GB of bf16 weights, 24 KiB of
// KV per token, ~142 MiB of fp32 Mamba state per sequence.
const nemotronA100: CostParams = {
  gpu: { memBwGBs: 1555, bf16Tflops: 312 },
  tensorParallel: 1,
  weightBytesPerGpu: 24.62e9,
  activeParams: 12.31e9,
  kvBytesPerToken: 24576,
  stateBytesPerSeq: 148_865_024,
};

/** Runs the scheduler on a virtual clock: `n` requests arriving every `gap` s, each 2000 prompt + 300 output tokens. */
function loadTest(cfg: SchedulerConfig, n: number, gap: number) {
  const s = new Scheduler(cfg);
  let t = 0;
  let next = 0;
  let tokens = 0;
  const lastTok = new Map<number, number>();
  const itl: number[] = [];
  while (next < n || !s.idle) {
    while (next < n && next * gap <= t) s.add(req(next++, 2000, 300, { arrival: t }));
    if (s.idle) {
      t = next * gap;
      continue;
    }
    const r = s.step(t);
    t += stepSeconds(nemotronA100, r.scheduledTokens, r.scheduledSeqs, r.contextTokens);
    for (let i = 0; i < r.outputs.length; i += 3) {
      const id = r.outputs[i]!;
      tokens += r.outputs[i + 1]!;
      const prev = lastTok.get(id);
      if (prev !== undefined) itl.push(t - prev);
      lastTok.set(id, t);
    }
  }
  itl.sort((a, b) => a - b);
  return { tokensPerS: tokens / t, p99Itl: itl[Math.floor(itl.length * 0.99)]!, meanItl: itl.reduce((a, b) => a + b, 0) / itl.length };
}

describe('profile trade-off (cost model + scheduler)', () => {
  const common = {
    chunkedPrefill: true,
    blockSize: 16,
    numGpuBlocks: 100_000,
    stateBlocksPerSeq: 0,
    prefixCaching: false,
    maxModelLen: 32768,
  };
  const throughput = { ...common, maxNumSeqs: 64, maxNumBatchedTokens: 16384 };
  const lowLatency = { ...common, maxNumSeqs: 32, maxNumBatchedTokens: 4096 };

  it('THROUGHPUT serves more tokens/s, LOW_LATENCY has lower inter-token latency under load', () => {
    const tp = loadTest(throughput, 200, 0.05);
    const ll = loadTest(lowLatency, 200, 0.05);
    expect(tp.tokensPerS).toBeGreaterThan(ll.tokensPerS * 1.1);
    expect(ll.p99Itl).toBeLessThan(tp.p99Itl * 0.75);
  });

  it('a single decode step costs about the weight-streaming time', () => {
    const one = stepSeconds(nemotronA100, 1, 1, 100);
    expect(one).toBeGreaterThan(0.02);
    expect(one).toBeLessThan(0.035);
    expect(stepSeconds(nemotronA100, 16384, 1, 16384)).toBeGreaterThan(1);
  });
});
