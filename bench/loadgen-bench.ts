// Load-generator benchmark (issue 8): can the client drive ≥ 256 concurrent streams at
// ≥ 20,000 tokens/s on one core without becoming what it measures?
//
// Against the simulator serving a small dense model (Qwen3-0.6B stand-in on a simulated H100:
// an engine step of 256 sequences takes ~3 ms, so the GPU model could stream ~80k tokens/s and
// the limit is CPU — the simulator's API process and this client), the same workload runs with
//   baseline  a bare loop over the same SSE streams: node:http, same agent, the same request
//             bodies; it only counts `data:` events (no parsing, no timing, no statistics);
//   loadgen   app/bench/loadgen.ts runLoad: SSE parsing, per-chunk timestamps, TTFT/ITL/E2E,
//             usage, aggregation, /metrics before/after.
// Rounds alternate (baseline, loadgen, baseline, loadgen …) so drift on a shared machine hits
// both. Reported per mode: tokens/s seen by the client, client CPU µs per token (whole process,
// Node's HTTP stack included), and for the load generator the time spent in our own code per
// token (stream handlers + accounting, measured inside them) and the event-loop delay p99.
// The client is one Node process: one thread, so "on one core" holds by construction; the
// simulator runs in its own processes.
//
// Run: npm run bench:loadgen [-- --concurrency 256 --requests 1024 --output 128 --rounds 2]
import http from 'node:http';
import { monitorEventLoopDelay, performance as perf } from 'node:perf_hooks';
import { API_PATHS, runLoad } from '../app/bench/loadgen';
import { preparePrompts } from '../app/bench/prompts';
import { WorkloadSchema } from '../app/contract/bench';
import { startSim } from '../sim/testing/harness';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i > 0 ? Number(process.argv[i + 1]) : dflt;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name}: expected a positive number`);
  return v;
}

const CONCURRENCY = arg('concurrency', 256);
const REQUESTS = arg('requests', 1024);
const OUTPUT = arg('output', 128);
const ROUNDS = arg('rounds', 2);
const PROMPT = 16;
const MODEL = 'Qwen/Qwen3-0.6B';

interface Sample {
  mode: 'baseline' | 'loadgen';
  tokens: number;
  wallS: number;
  cpuUs: number;
  ourMs: number | null;
  loopP99Ms: number;
  /** Event-loop utilization 0–1: near 1 the client is saturated and would distort what it measures. */
  elu: number;
  errors: number;
}

const workload = WorkloadSchema.parse({
  prompt: { kind: 'synthetic', tokens: { kind: 'fixed', value: PROMPT } },
  outputTokens: { kind: 'fixed', value: OUTPUT },
  requests: REQUESTS,
  requestTimeoutS: 120,
});

/** The bare client: same bodies, same agent settings, counts events and nothing else. */
async function baseline(baseUrl: string, offset: number): Promise<Sample> {
  const url = new URL(baseUrl);
  const prompts = await preparePrompts(workload, MODEL);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY, scheduling: 'lifo' });
  let next = 0;
  let events = 0;
  let errors = 0;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const elu0 = perf.eventLoopUtilization();
  const t0 = performance.now();
  const one = (body: string) =>
    new Promise<void>((resolve) => {
      const req = http.request(
        {
          hostname: url.hostname,
          port: url.port,
          path: API_PATHS.completions,
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          if (res.statusCode !== 200) errors++;
          res.on('data', (chunk: Buffer) => {
            const s = chunk.toString('latin1');
            for (let i = s.indexOf('data:'); i !== -1; i = s.indexOf('data:', i + 5)) events++;
          });
          res.on('end', resolve);
          res.on('error', () => {
            errors++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(body);
    });
  const worker = async () => {
    while (next < REQUESTS) await one(prompts.request(offset + next++).body);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const elu = perf.eventLoopUtilization(elu0).utilization;
  loop.disable();
  agent.destroy();
  // Every stream carries OUTPUT token events, then a usage event and [DONE].
  const tokens = events - 2 * (REQUESTS - errors);
  return { mode: 'baseline', tokens, wallS, cpuUs: cpu.user + cpu.system, ourMs: null, loopP99Ms: loop.percentile(99) / 1e6, elu, errors };
}

async function loadgen(baseUrl: string, offset: number): Promise<Sample> {
  const cpu0 = process.cpuUsage();
  const elu0 = perf.eventLoopUtilization();
  const t0 = performance.now();
  const r = await runLoad({ url: baseUrl, workload, load: { mode: 'concurrency', value: CONCURRENCY }, model: MODEL, indexOffset: offset });
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const elu = perf.eventLoopUtilization(elu0).utilization;
  const a = r.aggregate;
  const tokens = (a.outputTokens.mean ?? 0) * a.succeeded;
  if (r.client.peakInFlight < CONCURRENCY) throw new Error(`only ${r.client.peakInFlight} streams were in flight at once`);
  return {
    mode: 'loadgen',
    tokens,
    wallS,
    cpuUs: cpu.user + cpu.system,
    ourMs: ((r.client.overheadUsPerToken ?? 0) * tokens) / 1000,
    loopP99Ms: r.client.eventLoopDelayP99Ms ?? 0,
    elu,
    errors: a.requests - a.succeeded,
  };
}

const f = (x: number, d = 1) => x.toFixed(d);

async function main() {
  const sim = await startSim(
    [
      'serve',
      MODEL,
      '--max-num-seqs',
      String(Math.max(512, CONCURRENCY)),
      '--max-num-batched-tokens',
      '32768',
      '--max-model-len',
      '4096',
      '--disable-log-stats',
    ],
    { env: { VLLM_SIM_SPEED: '1', VLLM_SIM_GPUS: 'H100-80GB', VLLM_LOG_STATS_INTERVAL: '3600' } },
  );
  // The simulator's startup phases at speed 1 take a while; engine timing is what matters here.
  const ready = await sim.waitReady(180_000);
  if (!ready) {
    sim.killGroup('SIGKILL');
    throw new Error(`the simulator did not start:\n${sim.output().slice(-2000)}`);
  }
  const samples: Sample[] = [];
  try {
    let offset = 0;
    // Warm-up of both paths (JIT, sockets), not reported.
    await baseline(sim.baseUrl, 1e7);
    await loadgen(sim.baseUrl, 2e7);
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of ['baseline', 'loadgen'] as const) {
        const s = mode === 'baseline' ? await baseline(sim.baseUrl, offset) : await loadgen(sim.baseUrl, offset);
        offset += REQUESTS;
        samples.push(s);
        console.log(
          `round ${round + 1} ${mode.padEnd(8)} ${f(s.tokens / s.wallS, 0).padStart(7)} tok/s  client CPU ${f(s.cpuUs / s.tokens, 2).padStart(6)} µs/token` +
            `${s.ourMs !== null ? `  our code ${f((s.ourMs * 1000) / s.tokens, 2)} µs/token` : ''}  loop busy ${f(s.elu * 100, 0)}%  loop delay p99 ${f(s.loopP99Ms)} ms  errors ${s.errors}`,
        );
      }
    }
  } finally {
    sim.killGroup('SIGKILL');
  }
  const sum = (mode: Sample['mode']) => {
    const xs = samples.filter((s) => s.mode === mode);
    const tokens = xs.reduce((a, s) => a + s.tokens, 0);
    const wall = xs.reduce((a, s) => a + s.wallS, 0);
    const cpu = xs.reduce((a, s) => a + s.cpuUs, 0);
    const our = xs.reduce((a, s) => a + (s.ourMs ?? 0), 0);
    const elu = xs.reduce((a, s) => a + s.elu * s.wallS, 0) / wall;
    return {
      tps: tokens / wall,
      cpuPerTok: cpu / tokens,
      ourPerTok: (our * 1000) / tokens,
      cpuPct: (cpu / 1e6 / wall) * 100,
      elu,
      errors: xs.reduce((a, s) => a + s.errors, 0),
    };
  };
  const b = sum('baseline');
  const l = sum('loadgen');
  console.log('');
  console.log(
    `${CONCURRENCY} concurrent streams, ${REQUESTS} requests × ${OUTPUT} output tokens per round, ${ROUNDS} rounds each (simulated H100, ${MODEL})`,
  );
  console.log('mode       tokens/s   client CPU µs/token   client CPU %   event loop busy %   our code µs/token');
  console.log(
    `baseline   ${f(b.tps, 0).padStart(8)}   ${f(b.cpuPerTok, 2).padStart(19)}   ${f(b.cpuPct, 0).padStart(12)}   ${f(b.elu * 100, 0).padStart(17)}   ${'–'.padStart(17)}`,
  );
  console.log(
    `loadgen    ${f(l.tps, 0).padStart(8)}   ${f(l.cpuPerTok, 2).padStart(19)}   ${f(l.cpuPct, 0).padStart(12)}   ${f(l.elu * 100, 0).padStart(17)}   ${f(l.ourPerTok, 2).padStart(17)}`,
  );
  console.log(
    "(our code: wall time inside the load generator's own handlers — on a busy machine it includes time the OS ran other processes)",
  );
  console.log(
    `accounting cost: ${f(l.cpuPerTok - b.cpuPerTok, 2)} µs/token of client CPU over the bare loop; loadgen reached ${f((100 * l.tps) / b.tps, 0)} % of the baseline's tokens/s`,
  );
  const ok = l.tps >= 20_000 && l.errors === 0;
  console.log(
    ok ? 'target met: ≥ 256 streams, ≥ 20,000 tokens/s, no errors' : 'target NOT met on this machine (see tokens/s and errors above)',
  );
  if (!ok) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
