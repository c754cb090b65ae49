import { describe, expect, it } from 'vitest';
import { idleServerState, type ServerStateDto } from '../../contract';
import {
  comparisonRows,
  diagnosisNumbers,
  elapsedFor,
  errorKindLabel,
  factRows,
  formatDelta,
  formatElapsed,
  formatPhaseDuration,
  phaseRows,
  statusTone,
  stopSummary,
} from './server-format';

const base: ServerStateDto = idleServerState();
const st = (p: Partial<ServerStateDto>): ServerStateDto => ({ ...base, ...p });

describe('elapsed formatting', () => {
  it('formats m:ss and h:mm:ss, clamping negative (clock skew) to zero', () => {
    expect(formatElapsed(0)).toBe('0:00');
    expect(formatElapsed(5_400)).toBe('0:05');
    expect(formatElapsed(62_000)).toBe('1:02');
    expect(formatElapsed(3_723_000)).toBe('1:02:03');
    expect(formatElapsed(-5_000)).toBe('0:00');
  });
  it('phase durations: tenths under 10 s, whole seconds under a minute, then m:ss', () => {
    expect(formatPhaseDuration(430)).toBe('0.4 s');
    expect(formatPhaseDuration(12_400)).toBe('12 s');
    expect(formatPhaseDuration(185_000)).toBe('3:05');
  });
  it('the header clock: time starting, uptime once ready, run length after the end', () => {
    expect(elapsedFor(st({}), 10)).toBeNull();
    expect(elapsedFor(st({ status: 'starting', startedAt: 1000 }), 6000)).toEqual({ label: 'starting for', ms: 5000 });
    expect(elapsedFor(st({ status: 'ready', startedAt: 1000, readyAt: 4000 }), 10_000)).toEqual({ label: 'up', ms: 6000 });
    expect(elapsedFor(st({ status: 'failed', startedAt: 1000, endedAt: 3000 }), 99_000)).toEqual({ label: 'ran', ms: 2000 });
  });
  it('status tones', () => {
    expect(statusTone('ready')).toBe('ok');
    expect(statusTone('starting')).toBe('busy');
    expect(statusTone('crashed')).toBe('err');
    expect(statusTone(null)).toBe('idle');
  });
});

describe('phaseRows', () => {
  it('no run: every phase pending', () => {
    expect(phaseRows(st({}), 0).every((r) => r.state === 'pending' && r.ms === null)).toBe(true);
  });

  it('starting: done, skipped (download from cache), current with a running clock and percent', () => {
    const rows = phaseRows(
      st({
        status: 'starting',
        phase: 'load-weights',
        percent: 42,
        startedAt: 1000,
        phaseStartedAt: { 'resolve-model': 1000, 'load-weights': 3000 },
      }),
      8000,
    );
    const by = Object.fromEntries(rows.map((r) => [r.name, r]));
    expect(by['resolve-model']).toMatchObject({ state: 'done', ms: 2000 });
    expect(by.download).toMatchObject({ state: 'skipped', ms: null });
    expect(by['load-weights']).toMatchObject({ state: 'current', ms: 5000, percent: 42 });
    expect(by.compile).toMatchObject({ state: 'pending', percent: null });
  });

  it('a percent only shows for phases with a bar', () => {
    const rows = phaseRows(st({ status: 'starting', phase: 'compile', percent: 10, startedAt: 0, phaseStartedAt: { compile: 0 } }), 1);
    expect(rows.find((r) => r.name === 'compile')?.percent).toBeNull();
  });

  it('ready: all reached phases done, ready included', () => {
    const rows = phaseRows(
      st({
        status: 'ready',
        phase: 'ready',
        startedAt: 0,
        readyAt: 9000,
        phaseStartedAt: { 'resolve-model': 0, 'api-server': 7000, ready: 9000 },
      }),
      20_000,
    );
    expect(rows.at(-1)).toMatchObject({ name: 'ready', state: 'done' });
    expect(rows.find((r) => r.name === 'api-server')).toMatchObject({ state: 'done', ms: 2000 });
  });

  it('failed: the phase it died in is failed and its time ends at endedAt', () => {
    const rows = phaseRows(
      st({ status: 'failed', phase: 'kv-cache', startedAt: 0, endedAt: 5000, phaseStartedAt: { 'resolve-model': 0, 'kv-cache': 3000 } }),
      60_000,
    );
    expect(rows.find((r) => r.name === 'kv-cache')).toMatchObject({ state: 'failed', ms: 2000 });
  });

  it('stopped during start: interrupted; crashed after ready: ready stays done', () => {
    const stopped = phaseRows(st({ status: 'stopped', phase: 'compile', startedAt: 0, endedAt: 10, phaseStartedAt: { compile: 0 } }), 99);
    expect(stopped.find((r) => r.name === 'compile')?.state).toBe('interrupted');
    const crashed = phaseRows(
      st({ status: 'crashed', phase: 'ready', startedAt: 0, readyAt: 5, endedAt: 10, phaseStartedAt: { ready: 5 } }),
      99,
    );
    expect(crashed.at(-1)?.state).toBe('done');
  });
});

describe('facts and comparison', () => {
  const facts: ServerStateDto['facts'] = {
    vllmVersion: '0.13.0',
    architecture: 'NemotronHForCausalLM',
    maxModelLen: 32768,
    attentionBackend: 'FLASHINFER',
    weightsGiB: 22.91,
    modelLoadS: 14.2,
    availableKvGiB: 46.1,
    gpuKvCacheTokens: 1_234_567,
    maxConcurrency: { tokensPerRequest: 32768, x: 37.68 },
    cudaGraphGiB: 0.53,
    cudaGraphS: 6,
    readyUrl: 'http://127.0.0.1:8000',
  };
  it('lists the reported facts with units, in reading order', () => {
    const rows = factRows(facts);
    expect(rows.map((r) => r.key)).toEqual([
      'vllmVersion',
      'architecture',
      'maxModelLen',
      'attentionBackend',
      'weights',
      'availableKvGiB',
      'gpuKvCacheTokens',
      'maxConcurrency',
      'cudaGraph',
      'readyUrl',
    ]);
    const v = Object.fromEntries(rows.map((r) => [r.key, r.value]));
    expect(v.weights).toBe('22.91 GiB, loaded in 14 s');
    expect(v.gpuKvCacheTokens).toBe('1,234,567 tokens');
    expect(v.maxConcurrency).toBe('37.68× at 32,768 tokens/request');
    expect(v.cudaGraph).toBe('0.53 GiB, captured in 6.0 s');
    expect(factRows({})).toEqual([]);
  });

  it('puts the prediction next to what vLLM reported, with the difference', () => {
    expect(comparisonRows(st({ facts }))).toBeNull();
    const rows = comparisonRows(
      st({ facts, prediction: { weightsGiB: 23, availableKvGiB: 50, gpuKvCacheTokens: 1_000_000, maxConcurrency: null, verdict: 'fits' } }),
    );
    const kv = rows?.find((r) => r.key === 'gpuKvCacheTokens');
    expect(kv).toMatchObject({ predicted: '1,000,000', reported: '1,234,567' });
    expect(kv?.delta).toBeCloseTo(0.234567);
    expect(rows?.find((r) => r.key === 'maxConcurrency')).toMatchObject({ predicted: null, delta: null });
    expect(formatDelta(0.234567)).toBe('+23 %');
    expect(formatDelta(-0.05)).toBe('−5.0 %');
    expect(formatDelta(-0.0000001)).toBe('0 %');
  });
});

describe('stop report, diagnosis', () => {
  it('summarises a clean stop and a dirty one', () => {
    expect(
      stopSummary({
        killed: [
          { pid: 1, cmd: 'vllm', signal: 'SIGTERM' },
          { pid: 2, cmd: 'EngineCore', signal: 'SIGTERM' },
        ],
        survivors: [],
        escalated: false,
        durationMs: 1234,
        gpuMemoryReleased: null,
      }),
    ).toBe('Stopped 2 processes in 1.2 s; all exited on SIGTERM; none survived.');
    expect(
      stopSummary({
        killed: [{ pid: 1, cmd: 'x', signal: 'SIGKILL' }],
        survivors: [{ pid: 1, cmd: 'x' }],
        escalated: true,
        durationMs: 20_000,
        gpuMemoryReleased: false,
      }),
    ).toBe('Stopped 1 process in 20.0 s; some ignored SIGTERM and were killed (SIGKILL); 1 still alive; GPU memory still held.');
  });
  it('labels error kinds and orders diagnosis numbers', () => {
    expect(errorKindLabel('kv_cache_too_small_for_max_model_len')).toBe('KV cache too small for max model len');
    expect(errorKindLabel('cuda_oom')).toBe('CUDA out of memory');
    expect(
      diagnosisNumbers({ port: 8000, estimatedMaxModelLen: 34480, maxModelLen: 131072, custom: 1.5 }).map((n) => [n.label, n.value]),
    ).toEqual([
      ['max-model-len', '131,072'],
      ['Longest that fits', '34,480'],
      ['Port', '8000'],
      ['custom', '1.50'],
    ]);
  });
});
