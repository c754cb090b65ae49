// Server lifecycle benchmark (issue 5), against the simulator:
//   1. ready detection: time from the "Application startup complete." log line reaching the panel
//      to the supervisor's `ready` state (target ≤ 300 ms), median over the runs;
//   2. stop with stubborn children (VLLM_SIM_IGNORE_SIGTERM=1): every process gone within
//      grace + 1 s, compared with a well-behaved stop in the same run;
//   3. N start/stop/crash cycles (default 100) leave 0 orphans (processes counted by a marker).
// Run: npm run bench:lifecycle [-- --cycles 100]
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realClock } from '../app/host/deps';
import { listProcesses } from '../app/server/process-table';
import { type LaunchSpec, Supervisor } from '../app/server/supervisor';

const cyclesArg = process.argv.indexOf('--cycles');
const CYCLES = cyclesArg > 0 ? Number(process.argv[cyclesArg + 1]) : 100;
const GRACE_MS = 1500;
const MARKER = `lifecycle-bench-${process.pid}`;
const simArgv = existsSync('dist/sim.js') ? [process.execPath, 'dist/sim.js'] : [process.execPath, '--import', 'tsx', 'sim/main.ts'];

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

async function spec(env: Record<string, string>): Promise<LaunchSpec> {
  const port = await freePort();
  return {
    argv: [
      ...simArgv,
      'serve',
      'nvidia/NVIDIA-Nemotron-Nano-12B-v2',
      '--port',
      String(port),
      '--served-model-name',
      MARKER,
      '--max-model-len',
      '8192',
      '--max-num-seqs',
      '8',
    ],
    env: { ...process.env, NODE_OPTIONS: undefined, VLLM_SIM_SPEED: '40', ...env },
    cwd: process.cwd(),
    host: '127.0.0.1',
    port,
    profileId: null,
    prediction: null,
    flags: {},
  };
}

function supervisor(): Supervisor {
  return new Supervisor({
    clock: realClock,
    fetch: globalThis.fetch,
    dataDir: mkdtempSync(join(tmpdir(), 'lifecycle-')),
    logCapacity: () => 5000,
    graceMs: () => GRACE_MS,
    onState: () => {},
    onLogs: () => {},
  });
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : Number.NaN;
};
const orphans = async () => (await listProcesses()).filter((p) => p.cmd.includes(MARKER)).length;

async function main() {
  const readyDelays: number[] = [];
  const stopNormal: number[] = [];
  const stopStubborn: number[] = [];
  let failures = 0;
  let crashes = 0;
  const t0 = Date.now();
  for (let i = 0; i < CYCLES; i++) {
    const kind = i % 4; // 0,1 normal stop · 2 stubborn children · 3 engine crash after ready
    let readyLine = 0;
    const sup = supervisor();
    const env: Record<string, string> = kind === 2 ? { VLLM_SIM_IGNORE_SIGTERM: '1' } : kind === 3 ? { VLLM_SIM_CRASH_AFTER_S: '0.3' } : {};
    await sup.start(await spec(env));
    // start() made this run's log store; nothing is read from the child before the next tick.
    sup.logStore.onLine((e) => {
      if (e.text.includes('Application startup complete.')) readyLine = performance.now();
    });
    const ok = await until(() => sup.state.status === 'ready' || sup.state.status === 'failed', 30_000);
    if (!ok || sup.state.status !== 'ready') {
      failures++;
      await sup.dispose(false);
      continue;
    }
    if (readyLine) readyDelays.push(performance.now() - readyLine);
    if (kind === 3) {
      if (await until(() => sup.state.status === 'crashed', 10_000)) crashes++;
      await sup.dispose(false);
      continue;
    }
    const a = performance.now();
    await sup.stop();
    (kind === 2 ? stopStubborn : stopNormal).push(performance.now() - a);
    await sup.dispose(false);
  }
  const left = await orphans();
  console.log(
    `lifecycle benchmark: ${CYCLES} cycles against the simulator in ${((Date.now() - t0) / 1000).toFixed(1)} s (${simArgv.slice(1).join(' ')})`,
  );
  console.log(
    `  ready detection after "Application startup complete.": median ${median(readyDelays).toFixed(1)} ms, max ${Math.max(...readyDelays).toFixed(1)} ms (target ≤ 300 ms; ${readyDelays.length} runs)`,
  );
  console.log(
    `  stop, well-behaved tree (baseline):  median ${median(stopNormal).toFixed(0)} ms, max ${Math.max(...stopNormal).toFixed(0)} ms`,
  );
  console.log(
    `  stop, children ignore SIGTERM:       median ${median(stopStubborn).toFixed(0)} ms, max ${Math.max(...stopStubborn).toFixed(0)} ms (target ≤ grace ${GRACE_MS} + 1000 ms)`,
  );
  console.log(`  engine crashes detected: ${crashes}/${Math.floor((CYCLES + 0) / 4)}; failed starts: ${failures}`);
  console.log(`  orphans left: ${left} (target 0)`);
  const pass = left === 0 && failures === 0 && median(readyDelays) <= 300 && Math.max(...stopStubborn) <= GRACE_MS + 1000;
  console.log(`  RESULT: ${pass ? 'all targets met' : 'a target was missed'}`);
  process.exitCode = pass ? 0 : 1;
}

await main();
