// Diagnostic: polls nvidia-smi through the real core for a few seconds and reports how long each
// nvidia-smi call took, how many `gpus` events arrived, and the worst event-loop delay seen while
// polling (proof that polling does not block the loop). Used on the H100 device machine to
// produce app/gpu/fixtures/README.md's numbers.
//   tsx scripts/gpu-probe.ts [seconds=6] [pollMs=500]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createCore } from '../app/host/core';
import { defaultDeps, execaRun, type RunCommand } from '../app/host/deps';

const seconds = Number(process.argv[2] ?? 6);
const pollMs = Number(process.argv[3] ?? 500);
const dir = await mkdtemp(join(tmpdir(), 'gpu-probe-'));
const calls: { args: string; ms: number; exitCode: number | null }[] = [];
const run: RunCommand = async (file, args, opts) => {
  const t0 = performance.now();
  const r = await execaRun(file, args, opts);
  calls.push({ args: args.join(' ').slice(0, 40) || '(plain)', ms: Math.round(performance.now() - t0), exitCode: r.exitCode });
  return r;
};
const core = await createCore(
  defaultDeps({
    shell: 'cli',
    version: 'probe',
    run,
    paths: { configDir: join(dir, 'c'), dataDir: join(dir, 'd'), cacheDir: join(dir, 'k'), cwd: dir },
  }),
);
await core.invoke('settings:update', { gpuPollMs: pollMs });
let events = 0;
let gpusSeen = 0;
core.subscribe((e) => {
  if (e.channel === 'gpus') {
    events++;
    gpusSeen = e.payload.gpus.length;
  }
});
let maxLagMs = 0;
let last = performance.now();
const lagTimer = setInterval(() => {
  const now = performance.now();
  maxLagMs = Math.max(maxLagMs, now - last - 10);
  last = now;
}, 10);
await core.invoke('gpu:watch', { on: true });
await new Promise((r) => setTimeout(r, seconds * 1000));
await core.invoke('gpu:watch', { on: false });
const eventsAtStop = events;
await new Promise((r) => setTimeout(r, pollMs * 2));
clearInterval(lagTimer);
const sel = await core.invoke('gpu:selection', undefined);
await core.dispose();
await rm(dir, { recursive: true, force: true });
const durations = calls.map((c) => c.ms).sort((a, b) => a - b);
console.log(
  JSON.stringify(
    {
      seconds,
      pollMs,
      events,
      eventsAfterStop: events - eventsAtStop,
      gpusSeen,
      nvidiaSmiCalls: calls.length,
      callMs: { min: durations[0], median: durations[Math.floor(durations.length / 2)], max: durations.at(-1) },
      firstCalls: calls.slice(0, 4),
      maxEventLoopLagMs: Math.round(maxLagMs),
      selection: sel.ok ? sel.value : sel.error,
    },
    null,
    2,
  ),
);
