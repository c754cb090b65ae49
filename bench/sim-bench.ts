// Benchmark: is vllm-sim fast enough not to be the bottleneck of the panel's own benchmarks?
// Target (issue 4): ≥ 20,000 streamed tokens/s with ≥ 256 concurrent streams, the API server on
// one core (it is one Node process; its CPU use is read from /proc and printed).
//
// Same run, same client, two servers:
//  1. baseline: a raw node:http server streaming the same number of SSE chunks of the same size
//     as fast as it can (the ceiling of this machine + client);
//  2. vllm-sim serving Nemotron-Nano-12B-v2 on a simulated H200 with max-num-seqs 256; the engine
//     is sped up (VLLM_SIM_SPEED) so its simulated GPU is not what limits the number.
// Usage: npm run bench:sim [-- --streams 256 --tokens 200 --speed 8]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { startSim } from '../sim/testing/harness';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

const STREAMS = arg('streams', 256);
const TOKENS = arg('tokens', 1000);
const SPEED = arg('speed', 8);
const TARGET_TPS = 20_000;
const CONTENT = Buffer.from('"content":"');
const EVENT_END = Buffer.from('\n\n');

/** CPU seconds (user + system) a process has used, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return Number.NaN;
  }
}

interface Result {
  tokens: number;
  seconds: number;
  maxConcurrent: number;
  ttftP50: number;
}

/** Opens `STREAMS` SSE streams at once and counts content chunks (one per token). */
async function drive(port: number, path: string, body: string, headers: Record<string, string> = {}): Promise<Result> {
  const agent = new Agent({ keepAlive: true, maxSockets: STREAMS + 8 });
  const t0 = performance.now();
  let open = 0;
  let maxConcurrent = 0;
  let tokens = 0;
  const ttft: number[] = [];
  await Promise.all(
    Array.from(
      { length: STREAMS },
      () =>
        new Promise<void>((resolve, reject) => {
          const req = request(
            { port, host: '127.0.0.1', path, method: 'POST', agent, headers: { 'content-type': 'application/json', ...headers } },
            (res) => {
              open++;
              maxConcurrent = Math.max(maxConcurrent, open);
              let first = true;
              // Counted on raw bytes, whole SSE events only (no decoding, no JSON): the client must not
              // be the bottleneck.
              let rest: Buffer | null = null;
              res.on('data', (d: Buffer) => {
                const buf: Buffer = rest ? Buffer.concat([rest, d]) : d;
                const end = buf.lastIndexOf(EVENT_END);
                if (end === -1) {
                  rest = buf;
                  return;
                }
                for (let i = buf.indexOf(CONTENT); i !== -1 && i < end; i = buf.indexOf(CONTENT, i + CONTENT.length)) {
                  // `"content":""` (role and empty final chunks) is not a token.
                  if (buf[i + CONTENT.length] === 34) continue;
                  tokens++;
                  if (first) {
                    first = false;
                    ttft.push(performance.now() - t0);
                  }
                }
                rest = end + 2 < buf.length ? Buffer.from(buf.subarray(end + 2)) : null;
              });
              res.on('end', () => {
                open--;
                resolve();
              });
              res.on('error', reject);
            },
          );
          req.on('error', reject);
          req.end(body);
        }),
    ),
  );
  agent.destroy();
  ttft.sort((a, b) => a - b);
  return { tokens, seconds: (performance.now() - t0) / 1000, maxConcurrent, ttftP50: ttft[Math.floor(ttft.length / 2)] ?? Number.NaN };
}

/** Baseline server: the same SSE chunk shape, written as fast as the event loop allows. */
function baselineServer(): Promise<{ port: number; close: () => void; pid: number }> {
  const chunk = (i: number) =>
    `data: {"id":"chatcmpl-0123456789abcdef0123456789abcdef","object":"chat.completion.chunk","created":1700000000,"model":"nvidia/NVIDIA-Nemotron-Nano-12B-v2","choices":[{"index":0,"delta":{"content":" w${i % 10}"},"logprobs":null,"finish_reason":null}]}\n\n`;
  // One "step" writes one chunk to every open stream, like an engine step feeding all sequences.
  const active = new Set<{ res: import('node:http').ServerResponse; sent: number }>();
  let ticking = false;
  const step = () => {
    for (const s of active) {
      if (s.sent >= TOKENS) {
        s.res.end('data: [DONE]\n\n');
        active.delete(s);
        continue;
      }
      s.res.write(chunk(s.sent++));
    }
    if (active.size > 0) setImmediate(step);
    else ticking = false;
  };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
      active.add({ res, sent: 0 });
      if (!ticking) {
        ticking = true;
        setImmediate(step);
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ port: (server.address() as { port: number }).port, close: () => server.close(), pid: process.pid }),
    ),
  );
}

async function main(): Promise<void> {
  console.log(`sim-bench: ${STREAMS} concurrent streams × ${TOKENS} tokens (target ≥ ${TARGET_TPS.toLocaleString('en')} tokens/s)`);
  const chatBody = JSON.stringify({
    model: 'nvidia/NVIDIA-Nemotron-Nano-12B-v2',
    messages: [{ role: 'user', content: '/no_think Write a long story about schedulers.' }],
    max_tokens: TOKENS,
    ignore_eos: true,
    stream: true,
  });

  // 1. Baseline in a child process of its own, like the sim's API server.
  const child = spawn(
    process.execPath,
    [...process.execArgv, new URL(import.meta.url).pathname, '--baseline-server', '--tokens', String(TOKENS)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
  const cpu0 = cpuSeconds(child.pid!);
  const base = await drive(port, '/v1/chat/completions', chatBody);
  const baseCpu = cpuSeconds(child.pid!) - cpu0;
  child.kill('SIGKILL');
  const baseTps = base.tokens / base.seconds;
  console.log(
    `baseline  raw node:http SSE: ${Math.round(baseTps).toLocaleString('en')} tokens/s (${base.tokens} chunks in ${base.seconds.toFixed(2)} s, ` +
      `${base.maxConcurrent} streams open at once, server CPU ${Math.round((baseCpu / base.seconds) * 100)}% of one core)`,
  );

  // 2. vllm-sim.
  const sim = await startSim(
    [
      'serve',
      'nvidia/NVIDIA-Nemotron-Nano-12B-v2',
      '--max-model-len',
      '4096',
      '--max-num-seqs',
      String(STREAMS),
      '--max-num-batched-tokens',
      '16384',
      '--disable-uvicorn-access-log',
    ],
    { env: { VLLM_SIM_SPEED: String(SPEED), VLLM_SIM_GPUS: 'H200', VLLM_LOG_STATS_INTERVAL: '1' } },
  );
  try {
    if (!(await sim.waitReady(60_000))) throw new Error(`vllm-sim did not start:\n${sim.output().slice(-3000)}`);
    let peakRunning = 0;
    const poll = setInterval(async () => {
      try {
        const m = await (await fetch(`${sim.baseUrl}/metrics`)).text();
        const v = Number(/^vllm:num_requests_running\{[^}]*\} (\S+)$/m.exec(m)?.[1]);
        if (v > peakRunning) peakRunning = v;
      } catch {
        // Scrape missed: fine.
      }
    }, 100);
    const c0 = cpuSeconds(sim.pid);
    const r = await drive(sim.port, '/v1/chat/completions', chatBody);
    const apiCpu = cpuSeconds(sim.pid) - c0;
    clearInterval(poll);
    const tps = r.tokens / r.seconds;
    console.log(
      `vllm-sim  Nemotron-12B, H200, speed ${SPEED}: ${Math.round(tps).toLocaleString('en')} tokens/s (${r.tokens} tokens in ${r.seconds.toFixed(2)} s, ` +
        `${r.maxConcurrent} streams open at once, engine running peak ${peakRunning}, TTFT p50 ${r.ttftP50.toFixed(0)} ms, ` +
        `API server CPU ${Math.round((apiCpu / r.seconds) * 100)}% of one core), ${((tps / baseTps) * 100).toFixed(0)}% of baseline`,
    );
    const ok = tps >= TARGET_TPS && r.maxConcurrent >= STREAMS && r.tokens === STREAMS * TOKENS;
    console.log(ok ? 'sim-bench: PASS' : 'sim-bench: FAIL (below target or tokens missing)');
    process.exitCode = ok ? 0 : 1;
  } finally {
    sim.killGroup('SIGKILL');
  }
}

if (process.argv.includes('--baseline-server')) {
  void baselineServer().then((s) => process.stdout.write(`${s.port}\n`));
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
