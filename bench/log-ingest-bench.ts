// Log ingest benchmark (issue 5): split + classify + ring buffer + batching in the core, compared
// in the same run with writing the same bytes to /dev/null (the cheapest thing a log pipe can do).
// Run: npm run bench:logs [-- --lines 1000000]
import { closeSync, openSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { LogStore } from '../app/server/log/log-store';

const argLines = process.argv.indexOf('--lines');
const LINES = argLines > 0 ? Number(process.argv[argLines + 1]) : 1_000_000;
const CHUNK = 64 * 1024; // a pipe read delivers up to 64 KiB

// A realistic mix (shapes from ../shared/reference/vllm-logs): tagged INFO lines, uvicorn access
// lines, warnings, tqdm frames with \r, untagged third-party prints.
const samples = [
  '\x1b[0;36m(APIServer pid=253022)\x1b[0;0m INFO 01-17 23:05:31 [loggers.py:257] Engine 000: Avg prompt throughput: 1534.2 tokens/s, Avg generation throughput: 812.7 tokens/s, Running: 31 reqs, Waiting: 0 reqs, GPU KV cache usage: 41.3%, Prefix cache hit rate: 12.5%\n',
  '(APIServer pid=253022) INFO:     127.0.0.1:44726 - "POST /v1/chat/completions HTTP/1.1" 200 OK\n',
  '(EngineCore_DP0 pid=253248) WARNING 01-17 23:05:12 [utils.py:100] Some warning about something that happened during the run\n',
  'Loading safetensors checkpoint shards:  44% Completed | 12/27 [00:12<00:16,  1.09s/it]\r',
  '[rank0]:W0318 12:00:00.000000 1234 torch/distributed/c10d.py:100] a third-party line with no vLLM tag\n',
];

function makeCorpus(lines: number): Buffer[] {
  const parts: string[] = [];
  for (let i = 0; i < lines; i++) parts.push(samples[i % samples.length]!);
  const all = Buffer.from(parts.join(''));
  const chunks: Buffer[] = [];
  for (let o = 0; o < all.length; o += CHUNK) chunks.push(all.subarray(o, o + CHUNK));
  return chunks;
}

function timeIt(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

const chunks = makeCorpus(LINES);
const bytes = chunks.reduce((n, c) => n + c.length, 0);

function devNull(): void {
  const fd = openSync('/dev/null', 'w');
  for (const c of chunks) writeSync(fd, c);
  closeSync(fd);
}

let batches = 0;
function ingest(): number {
  const store = new LogStore({ capacity: 50_000, onBatch: () => batches++, setTimer: () => 0, clearTimer: () => {} });
  for (const c of chunks) {
    store.ingest('stdout', c);
    store.flush(); // one push per pipe read, as the supervisor's 16 ms timer would at worst
  }
  store.end();
  return store.size;
}

// Warm up both paths (JIT), then measure best-of-3.
devNull();
ingest();
const base = Math.min(timeIt(devNull), timeIt(devNull), timeIt(devNull));
let held = 0;
const core = Math.min(
  timeIt(() => (held = ingest())),
  timeIt(() => (held = ingest())),
  timeIt(() => (held = ingest())),
);
const heapMiB = process.memoryUsage().heapUsed / 2 ** 20;

const rate = (ms: number) => Math.round(LINES / (ms / 1000));
console.log(`log ingest benchmark: ${LINES.toLocaleString()} lines, ${(bytes / 2 ** 20).toFixed(1)} MiB, chunks of ${CHUNK / 1024} KiB`);
console.log(`  baseline  write to /dev/null        ${base.toFixed(1).padStart(8)} ms  ${rate(base).toLocaleString().padStart(12)} lines/s`);
console.log(`  panel     split+classify+ring+batch ${core.toFixed(1).padStart(8)} ms  ${rate(core).toLocaleString().padStart(12)} lines/s`);
console.log(`  ratio     panel / baseline throughput: ${(base / core).toFixed(3)}  (target: ≥ 200,000 lines/s absolute)`);
console.log(
  `  ring held ${held.toLocaleString()} lines (bounded at 50,000); heap used after: ${heapMiB.toFixed(1)} MiB; batches: ${batches}`,
);
if (rate(core) < 200_000) {
  console.log('  RESULT: below the 200,000 lines/s target');
  process.exitCode = 1;
}
