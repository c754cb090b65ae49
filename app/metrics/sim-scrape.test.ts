// Integration: the scraper against the simulator (a real `vllm serve` stand-in with V1 metric
// names) under load. The generated-token rate the panel charts, integrated over time, must equal
// the tokens the clients received.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimRun, startSim } from '../../sim/testing/harness';
import { realClock } from '../host/deps';
import { MetricsHistory } from './history';
import { type ScrapeOutcome, Scraper } from './scraper';

const MODEL = 'nvidia/NVIDIA-Nemotron-Nano-12B-v2';
const INTERVAL_MS = 250;
let sim: SimRun;

beforeAll(async () => {
  // VLLM_SIM_SPEED=2: a 150-token answer takes ~1–2 s, so a few waves of requests give several
  // seconds of load with many scrapes in between (at the harness default of 50 it is over in ms).
  sim = await startSim(['serve', MODEL, '--max-model-len', '8192'], { env: { VLLM_SIM_SPEED: '2' } });
  if (!(await sim.waitReady(60_000))) throw new Error(`simulator did not become ready:\n${sim.output().slice(-3000)}`);
}, 90_000);

afterAll(async () => {
  sim?.killGroup('SIGKILL');
  await sim?.exited;
});

async function chat(i: number): Promise<number> {
  const r = await fetch(`${sim.baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: `Tell me about request number ${i}.` }], max_tokens: 150 }),
    signal: AbortSignal.timeout(60_000),
  });
  const body = (await r.json()) as { usage: { completion_tokens: number } };
  return body.usage.completion_tokens;
}

describe('scraping the simulator under load', () => {
  it('generated tokens: counter increase = tokens received; ∫ rate dt ≈ tokens received (±5 %)', async () => {
    const h = new MetricsHistory();
    const failures: ScrapeOutcome[] = [];
    const scraper = new Scraper({
      clock: realClock,
      intervalMs: () => INTERVAL_MS,
      onResult: (r) => {
        if (r.ok) h.addScrape({ raw: r.snapshot, startMarker: r.startMarker, intervalMs: INTERVAL_MS, gpus: [] });
        else failures.push(r);
      },
      onIdleTick: (t) => h.addGap(t, []),
    });
    scraper.start({ url: sim.baseUrl });
    // A flat baseline longer than the rate window: the first rows after attaching average over
    // less than 5 s (there is no older scrape), and ∫ rate dt telescopes only for a full window.
    await new Promise((r) => setTimeout(r, 6000));
    const first = h.latestSnapshot!;
    expect(first).toBeDefined();

    let received = 0;
    for (let wave = 0; wave < 3; wave++) {
      const tokens = await Promise.all(Array.from({ length: 6 }, (_, i) => chat(wave * 6 + i)));
      received += tokens.reduce((a, b) => a + b, 0);
    }
    // Let the 5 s trailing rate return to 0 (window + slack + a scrape).
    await new Promise((r) => setTimeout(r, 6500));
    scraper.stop();
    await scraper.idle();
    const last = h.latestSnapshot!;

    // 1. The counters: every token a client received was counted once (the simulator counts
    //    output tokens as they are sent, like vLLM's output processor).
    expect(received).toBeGreaterThan(18 * 20);
    expect(last.generationTokens - first.generationTokens).toBe(received);
    expect(last.requestsFinished - first.requestsFinished).toBe(18);

    // 2. The charted rate. Each row's rate is the counter increase over its trailing window
    //    (5 s plus up to one interval, divided by the actual span), so Σ rate·Δt over the rows
    //    telescopes to the counter increase when the load starts and ends inside flat stretches
    //    longer than the window (the 6 s baseline and the 6.5 s tail). What is left: the window
    //    length wobbling by up to one interval (250 ms of 5 s) at the ramps, and scrapes lost to
    //    timeouts on this shared machine, bridged by holding the next rate over the gap. Measured
    //    here: within 0.1 %; allowed: ±5 %.
    const rows = h.points.filter((p) => p.t > first.t);
    let integral = 0;
    let prevT = first.t;
    for (const p of rows) {
      if (p.genTps === null) continue;
      integral += p.genTps * ((p.t - prevT) / 1000);
      prevT = p.t;
    }
    expect(integral).toBeGreaterThan(received * 0.95);
    expect(integral).toBeLessThan(received * 1.05);

    // Never a negative rate; the load was visible in the gauges and latency histograms.
    for (const p of h.points) for (const v of [p.genTps, p.promptTps, p.reqPs]) if (v !== null) expect(v).toBeGreaterThanOrEqual(0);
    expect(Math.max(...h.points.map((p) => p.running ?? 0))).toBeGreaterThan(0);
    const w = h.windowStats(60, INTERVAL_MS)!;
    expect(w.latency.ttft.n).toBe(18);
    expect(w.latency.ttft.p50?.value).toBeGreaterThan(0);
    expect(w.latency.itl.p50?.value).toBeGreaterThan(0);
    expect(h.points.at(-1)!.genTps).toBe(0);
    // Most scrapes worked (a few may time out at 200 ms on a loaded machine).
    expect(failures.length).toBeLessThan(h.points.length / 4);
  }, 120_000);
});
