// CPU cost of scraping /metrics at 1 Hz (issue 6: "< 1 % of one core"), measured on the real
// core: the metrics service attached to a vLLM server, parsing, continuous counters, derived
// rows, 1/5/15-minute window stats, and the batched `metrics` event serialised as the web shell
// would send it. The server runs in a child process (with its load generator) so its CPU is not
// counted; an idle baseline of the same core is measured first in the same run.
//
//   npm run bench:scrape                     the simulator, DP=2 on 2 simulated H100s (~80 KB body, V1 names), under load;
//                                            20 s idle, 20 s warm-up scraping, 20 s steady scraping, 20 s idle
//                                            after detaching; each phase as the median of its 5 s slices
//   BENCH_SERVER=fake npm run bench:scrape   a synthetic ~130 KB body (DP=2 + 330 padding families): a pessimistic size
//   BENCH_TRANSPORT=fetch …                  scrape with fetch instead of node:http (the default)
//   BENCH_SECONDS=10 …                       shorter phases (default 20 s each)
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCore } from '../app/host/core';
import { defaultDeps, type RunCommand } from '../app/host/deps';
import { FakeVllm } from '../app/metrics/fixtures/fake-vllm-server';
import { metricsService } from '../app/metrics/service';
import { startSim } from '../sim/testing/harness';

const MODEL = 'nvidia/NVIDIA-Nemotron-Nano-12B-v2';

if (process.argv.includes('--serve')) {
  // Child: the server and its load; prints {url, bytes} once ready.
  let url: string;
  let body: () => Promise<string>;
  if (process.env.BENCH_SERVER === 'fake') {
    // Counters and histograms moving as if ~20 requests/s were served.
    const f = new FakeVllm({ engines: 2, padFamilies: 330 });
    url = await f.listen();
    setInterval(() => {
      for (let i = 0; i < 2; i++)
        f.finish(i % 2, {
          prompt: 500,
          gen: 120,
          ttft: 0.05 + Math.random() * 0.4,
          itl: 0.01 + Math.random() * 0.03,
          e2e: 2 + Math.random() * 3,
        });
      f.engines[0]!.running = Math.floor(Math.random() * 32);
      f.engines[0]!.kv = Math.random();
    }, 100);
    body = async () => f.body();
  } else {
    const sim = await startSim(['serve', MODEL, '--max-model-len', '32768', '--data-parallel-size', '2'], {
      env: { VLLM_SIM_SPEED: '5', VLLM_SIM_GPUS: 'H100-80GB:2' },
    });
    process.on('exit', () => sim.killGroup('SIGKILL'));
    if (!(await sim.waitReady(90_000))) throw new Error(`simulator not ready:\n${sim.output().slice(-2000)}`);
    url = sim.baseUrl;
    // A steady trickle of chats so every counter and histogram moves between scrapes.
    let n = 0;
    setInterval(() => {
      void fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: `question ${n++}` }], max_tokens: 40 }),
      }).then(
        (r) => r.text(),
        () => '',
      );
    }, 250);
    body = async () => (await fetch(`${url}/metrics`)).text();
  }
  process.stdout.write(`${JSON.stringify({ url, bytes: Buffer.byteLength(await body()) })}\n`);
  process.on('SIGTERM', () => process.exit(0));
} else {
  const seconds = Number(process.env.BENCH_SECONDS ?? 20);
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: process.env,
  });
  const started = await new Promise<{ url: string; bytes: number }>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(buf.slice(0, nl)));
    });
    child.once('exit', (c) => reject(new Error(`server child exited (${c})`)));
    setTimeout(() => reject(new Error('server child did not start in 120 s')), 120_000).unref();
  });
  const home = mkdtempSync(join(tmpdir(), 'vllm-panel-bench-'));
  // No nvidia-smi on purpose: GPU polling is its own cost (a child process every 2 s), not the scrape's.
  const noSmi: RunCommand = async () => ({ exitCode: null, stdout: '', stderr: '', timedOut: false, spawnError: 'ENOENT' });
  const transport = process.env.BENCH_TRANSPORT === 'fetch' ? 'fetch' : 'node:http';
  const core = await createCore(
    defaultDeps({
      shell: 'web',
      version: 'bench',
      run: noSmi,
      // A fetch other than the global one is used as is; the global one means "use node:http".
      ...(transport === 'fetch' ? { fetch: (...a: Parameters<typeof fetch>) => fetch(...a) } : {}),
      paths: { configDir: join(home, 'c'), dataDir: join(home, 'd'), cacheDir: join(home, 'x'), cwd: home },
    }),
  );
  let eventBytes = 0;
  let events = 0;
  core.subscribe((e) => {
    if (e.channel !== 'metrics') return;
    events++;
    eventBytes += JSON.stringify({ t: 'event', channel: e.channel, payload: e.payload }).length;
  });
  await core.invoke('settings:update', { metricsIntervalMs: 1000 });

  type Slice = { cpuMs: number; wallMs: number; pct: number };
  const measure = async (ms: number): Promise<Slice> => {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    await new Promise((r) => setTimeout(r, ms));
    const c = process.cpuUsage(c0);
    const wall = performance.now() - w0;
    return { cpuMs: (c.user + c.system) / 1000, wallMs: wall, pct: ((c.user + c.system) / 1000 / wall) * 100 };
  };
  // Each phase is cut into 5 s slices and summarised by the median slice: on a shared machine one
  // slice may catch a burst of unrelated work (a major GC, the OS descheduling us mid-scrape).
  const SLICE_MS = 5000;
  const phase = async (ms: number) => {
    const slices: Slice[] = [];
    for (let left = ms; left > 0; left -= SLICE_MS) slices.push(await measure(Math.min(SLICE_MS, left)));
    const sorted = slices.map((x) => x.pct).sort((a, b) => a - b);
    const cpuMs = slices.reduce((a, x) => a + x.cpuMs, 0);
    const wallMs = slices.reduce((a, x) => a + x.wallMs, 0);
    return { slices, median: sorted[Math.floor(sorted.length / 2)]!, pct: (cpuMs / wallMs) * 100, cpuMs, wallMs };
  };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

  const server = process.env.BENCH_SERVER === 'fake' ? 'synthetic server' : 'simulator under load';
  console.log(
    `/metrics scrape benchmark: 1 Hz over ${transport}, ${server}, body ${(started.bytes / 1024).toFixed(0)} KB (2 engines); phases of ${seconds} s: idle, warm-up, steady, idle`,
  );
  // Let startup work (module compilation, settings write) settle before the baseline.
  await new Promise((r) => setTimeout(r, 5000));
  const idleBefore = await phase(seconds * 1000);
  const svc = metricsService(core.context);
  const a = await core.invoke('metrics:attach', { url: started.url });
  if (!a.ok || a.value.status !== 'up') throw new Error(`attach failed: ${JSON.stringify(a.ok ? a.value.error : a.error)}`);
  // Two phases after attaching: the first includes V8 optimising the scrape path (at 1 Hz that
  // takes ~20–30 scrapes), the second is the steady state a long-running panel pays.
  const runs: { name: string; p: Awaited<ReturnType<typeof phase>>; scrapes: number; events: number; eventBytes: number }[] = [];
  for (const name of ['warm-up (first after attach)', 'steady state']) {
    const attempts0 = svc.scraper.attempts;
    events = 0;
    eventBytes = 0;
    const p = await phase(seconds * 1000);
    runs.push({ name, p, scrapes: svc.scraper.attempts - attempts0, events, eventBytes });
  }
  const st = svc.state();
  const rows = svc.history.size;
  // The same core idle again after detaching: the baseline takes the slices of both idle phases.
  await core.invoke('metrics:detach', undefined);
  await new Promise((r) => setTimeout(r, 2000));
  const idleAfter = await phase(seconds * 1000);
  const idle = median([...idleBefore.slices, ...idleAfter.slices].map((x) => x.pct));
  const line = (label: string, pct: number, detail: string) =>
    console.log(`  ${label.padEnd(30)} ${pct.toFixed(3).padStart(7)} % of one core  ${detail}`);
  line('idle core (median slice)', idle, `(phases: ${idleBefore.pct.toFixed(3)} % before, ${idleAfter.pct.toFixed(3)} % after)`);
  for (const r of runs) {
    const perScrape = ((r.p.median - idle) / 100) * 1000; // ms CPU per 1 s scrape interval
    line(
      r.name,
      r.p.median - idle,
      `above idle (median slice; whole phase ${r.p.pct.toFixed(3)} % in all) ≈ ${perScrape.toFixed(2)} ms CPU per scrape; ${r.scrapes} scrapes, ${r.events} events of ${(r.eventBytes / Math.max(r.events, 1) / 1024).toFixed(1)} KB as JSON`,
    );
  }
  console.log(`  last scrape took ${st.scrapeMs} ms wall; history ${rows} rows`);
  const steady = runs[1]!.p.median - idle;
  console.log(
    `  RESULT: steady state ${steady < 1 ? 'meets' : 'misses'} the < 1 % of one core target on this run (the machine is shared; rerun to compare)`,
  );
  await core.dispose();
  child.kill('SIGTERM');
  rmSync(home, { recursive: true, force: true });
  process.exit(0);
}
