import { describe, expect, it } from 'vitest';
import { stripAnsi } from './ansi';
import { classifyLine } from './classify';
import { LineSplitter, type SplitLine } from './line-splitter';
import { type LogBatch, LogStore } from './log-store';
import { RingBuffer } from './ring-buffer';

function split(chunks: (string | Uint8Array)[]): SplitLine[] {
  const out: SplitLine[] = [];
  const s = new LineSplitter('stderr', (l) => out.push(l));
  for (const c of chunks) s.push(c);
  s.flush();
  return out;
}

describe('LineSplitter', () => {
  it('joins partial chunks and handles \\r\\n split across chunks', () => {
    expect(split(['INFO a', 'bc\r', '\nsecond\n', 'tail']).map((l) => [l.text, l.replace])).toEqual([
      ['INFO abc', false],
      ['second', false],
      ['tail', false],
    ]);
  });

  it('turns tqdm \\r frames into one line updated in place', () => {
    const frames = ['\rLoading:   0% 0/4', '\rLoading:  50% 2/4', '\rLoading: 100% 4/4', '\n', 'next line\n'];
    const out = split(frames);
    expect(out.map((l) => [l.text, l.replace])).toEqual([
      ['Loading:   0% 0/4', false],
      ['Loading:  50% 2/4', true],
      ['Loading: 100% 4/4', true],
      ['next line', false],
    ]);
  });

  it('decodes UTF-8 split in the middle of a character (tqdm bars use █)', () => {
    const bytes = new TextEncoder().encode('bar █▍ done\n');
    const cut = 5; // inside the 3-byte █
    expect(split([bytes.slice(0, cut), bytes.slice(cut)]).map((l) => l.text)).toEqual(['bar █▍ done']);
  });

  it('strips ANSI colours', () => {
    expect(split(['\x1b[0;36m(APIServer pid=1)\x1b[0;0m INFO 01-17 23:04:45 [x.py:1] hi\n'])[0]!.text).toBe(
      '(APIServer pid=1) INFO 01-17 23:04:45 [x.py:1] hi',
    );
    expect(stripAnsi('\x1b[1mbold\x1b[0m plain')).toBe('bold plain');
  });

  it('cuts absurdly long lines instead of growing without bound', () => {
    const out: SplitLine[] = [];
    const s = new LineSplitter('stdout', (l) => out.push(l), 100);
    s.push('x'.repeat(250));
    s.push('\n');
    expect(out[0]!.text.length).toBe(100);
  });
});

describe('classifyLine', () => {
  it('reads process tag, level and message of a vLLM line', () => {
    const c = classifyLine('(EngineCore_DP0 pid=253248) INFO 01-17 23:05:12 [kv_cache_utils.py:1305] GPU KV cache size: 452,176 tokens');
    expect(c).toEqual({
      level: 'info',
      proc: 'engine',
      procName: 'EngineCore_DP0',
      pid: 253248,
      message: 'GPU KV cache size: 452,176 tokens',
    });
  });

  it('handles a wrapper prefix, doubled tags, uvicorn lines and tracebacks', () => {
    expect(classifyLine('[2026-01-17 23:04:45] [INFO] (APIServer pid=5) WARNING 01-17 23:04:46 [m.py:9] careful').level).toBe('warning');
    const two = classifyLine('(Worker_TP1 pid=253471) (Worker_TP0 pid=253470) ERROR 01-17 23:05:00 [w.py:1] boom');
    expect([two.procName, two.proc, two.level]).toEqual(['Worker_TP0', 'worker', 'error']);
    expect(classifyLine('(APIServer pid=1) INFO:     Application startup complete.')).toMatchObject({
      level: 'info',
      proc: 'api',
      message: 'Application startup complete.',
    });
    expect(classifyLine('(EngineCore pid=1878) ValueError: No available memory for the cache blocks.').level).toBe('error');
    expect(classifyLine('Loading safetensors checkpoint shards:  44% Completed | 12/27').level).toBe('none');
  });
});

describe('RingBuffer', () => {
  it('keeps the newest `capacity` items with stable sequence numbers', () => {
    const r = new RingBuffer<number>(3);
    for (let i = 0; i < 5; i++) r.push(i);
    expect(r.slice()).toEqual([2, 3, 4]);
    expect([r.firstSeq, r.endSeq]).toEqual([2, 5]);
    expect(r.get(1)).toBeUndefined();
    expect(r.set(3, 30)).toBe(true);
    expect(r.set(0, 0)).toBe(false);
    expect(r.slice(3)).toEqual([30, 4]);
  });
});

describe('LogStore', () => {
  it('bounds memory, batches, and upserts progress frames by seq', () => {
    const batches: LogBatch[] = [];
    const timers: (() => void)[] = [];
    const store = new LogStore({
      capacity: 4,
      onBatch: (b) => batches.push(b),
      setTimer: (fn) => timers.push(fn),
      clearTimer: () => {},
      now: () => 1,
    });
    store.ingest('stdout', '(APIServer pid=1) INFO 01-01 00:00:00 [a.py:1] one\n');
    store.ingest('stderr', '\rLoading 10%');
    store.ingest('stdout', 'two\n');
    store.ingest('stderr', '\rLoading 90%\rLoading 100%\n');
    for (let i = 0; i < 5; i++) store.ingest('stdout', `line ${i}\n`);
    expect(batches).toHaveLength(0); // nothing pushed before the timer fires
    timers.shift()!();
    expect(batches).toHaveLength(1);
    const loading = store.entries().find((e) => e.text.startsWith('Loading'));
    expect(loading).toBeUndefined(); // evicted: capacity 4
    expect(store.size).toBe(4);
    expect(store.entries().map((e) => e.text)).toEqual(['line 1', 'line 2', 'line 3', 'line 4']);
    // Progress frames were coalesced into one entry in the batch.
    const loadingInBatch = batches[0]!.entries.filter((e) => e.text.startsWith('Loading'));
    expect(loadingInBatch.map((e) => e.text)).toEqual(['Loading 100%']);
    expect(batches[0]!.firstSeq).toBe(store.firstSeq);
  });

  it('flushes early when a batch reaches the byte cap', () => {
    const batches: LogBatch[] = [];
    const store = new LogStore({
      capacity: 100,
      onBatch: (b) => batches.push(b),
      batchBytes: 1000,
      setTimer: () => 0,
      clearTimer: () => {},
    });
    store.ingest('stdout', `${'x'.repeat(600)}\n${'y'.repeat(600)}\n`);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.entries).toHaveLength(2);
  });

  it('tells line listeners about replaced frames', () => {
    const seen: [string, boolean][] = [];
    const store = new LogStore({ capacity: 10 });
    store.onLine((e, replaced) => seen.push([e.text, replaced]));
    store.ingest('stderr', 'Capturing CUDA graphs:  10%\rCapturing CUDA graphs: 100%\n');
    store.end();
    expect(seen).toEqual([
      ['Capturing CUDA graphs:  10%', false],
      ['Capturing CUDA graphs: 100%', true],
    ]);
    expect(store.size).toBe(1);
  });
});
