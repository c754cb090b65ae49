// vllm-panel bench: usage errors, a headless run against a fake server (table, --json,
// --export, Ctrl-C keeps the partial result), and a sweep that starts and stops the simulator.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAi, startFakeOpenAi } from '../../bench/fixtures/fake-openai-server';
import { BenchResultSchema } from '../../contract/bench';
import { ensureSimBuilt } from '../../test-support/sim-build';
import { runCli } from '../main';
import { parseLength } from './bench';

let home = '';
let fake: FakeOpenAi;
beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'vllm-panel-bench-cli-'));
  fake = await startFakeOpenAi();
});
afterAll(async () => {
  await fake.close();
  rmSync(home, { recursive: true, force: true });
});

/**
 * `interrupt`: Ctrl-C once stderr shows `when` (a progress line), then `afterMs` later — not on a
 * fixed clock, which on a loaded machine can fire before the first request is even sent.
 */
function io(extraEnv: Record<string, string> = {}, interrupt?: { when: RegExp; afterMs: number }) {
  const out: string[] = [];
  const err: string[] = [];
  const env = {
    PATH: '/usr/bin:/bin',
    HOME: '/nonexistent-home',
    VLLM_PANEL_HOME: home,
    VLLM_PANEL_NVIDIA_SMI: '/nonexistent/nvidia-smi',
    VLLM_SIM_SPEED: '20',
    ...extraEnv,
  };
  const interrupted =
    interrupt === undefined
      ? new Promise<never>(() => {})
      : new Promise<'SIGINT'>((resolve) => {
          const poll = setInterval(() => {
            if (!err.some((l) => interrupt.when.test(l))) return;
            clearInterval(poll);
            setTimeout(() => resolve('SIGINT'), interrupt.afterMs);
          }, 25);
        });
  return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), env, interrupted } };
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const c = createConnection({ port, host: '127.0.0.1' });
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });

describe('vllm-panel bench: usage', () => {
  it.each([
    [[], /--url URL, or --sweep/],
    [['--url', 'http://x', '--sweep', '--profiles', 'A'], /leave out --url/],
    [['--url', 'http://x', '--concurrency', '2', '--rate', '1'], /exclude each other/],
    [['--url', 'http://x', '--concurrency', '1,8'], /several levels need --sweep/],
    [['--url', 'http://x', '--prompt-tokens', '9-3'], /MIN must be ≤ MAX/],
    [['--url', 'http://x', '--set', 'port=1'], /--set belongs to --sweep/],
    [['--sweep', '--concurrency', '1'], /needs --profiles/],
    [['--url', 'http://x', '--export', 'out.txt'], /\.json, \.csv or \.md/],
    [['--url', 'http://x', '--bogus'], /unknown option '--bogus'/],
  ])('%j is refused with exit 2', async (args, msg) => {
    const t = io();
    expect(await runCli(['bench', ...args], t.io)).toBe(2);
    expect(t.err.join('\n')).toMatch(msg);
  });

  it('reads lengths as N or MIN-MAX', () => {
    expect(parseLength('--x', '128')).toEqual({ kind: 'fixed', value: 128 });
    expect(parseLength('--x', '64-512')).toEqual({ kind: 'uniform', min: 64, max: 512 });
  });
});

describe('vllm-panel bench --url', () => {
  it('runs one workload, prints the table and saves the result; --export writes CSV', async () => {
    const t = io();
    const csv = join(home, 'out', 'r.csv');
    const code = await runCli(
      [
        'bench',
        '--url',
        fake.url,
        '--concurrency',
        '3',
        '--requests',
        '9',
        '--prompt-tokens',
        '16',
        '--output-tokens',
        '4',
        '--slo-ttft',
        '5000',
        '--export',
        csv,
      ],
      t.io,
    );
    expect(code).toBe(0);
    const text = t.out.join('\n');
    expect(text).toMatch(/^profile\s+conc\s+ok\/sent\s+out tok\/s/m);
    expect(text).toMatch(/^127\.0\.0\.1:\d+\s+3\s+9\/9\s+\d+/m);
    expect(text).toMatch(/saved as \d{8}-\d{6}-[0-9a-f]{4}; written to .*r\.csv \(complete\)/);
    expect(readFileSync(csv, 'utf8').split('\r\n')[1]).toContain(',concurrency,3,9,9,0,0,');
    expect(t.err.join('\n')).toMatch(/benchmark \S+ started/);
  });

  it('--json prints the saved result as one JSON document', async () => {
    const t = io();
    expect(await runCli(['bench', '--url', fake.url, '--rate', '40', '--requests', '5', '--output-tokens', '2', '--json'], t.io)).toBe(0);
    expect(t.out).toHaveLength(1);
    const r = BenchResultSchema.parse(JSON.parse(t.out[0]!));
    expect(r).toMatchObject({ kind: 'run', status: 'complete', levels: { mode: 'rate', values: [40] } });
    expect(r.environment.model).toBe('fake-model');
    expect(r.environment.vllmVersion).toBe('0.0.0-fake');
    expect(r.profiles[0]!.levels[0]!.aggregate.succeeded).toBe(5);
  });

  it('Ctrl-C stops the run, keeps the partial result and exits 130', async () => {
    const t = io({}, { when: / [1-9]\d* done/, afterMs: 100 });
    const code = await runCli(
      ['bench', '--url', fake.url, '--concurrency', '2', '--requests', '500', '--output-tokens', '40', '--json'],
      t.io,
    );
    expect(code).toBe(130);
    const r = BenchResultSchema.parse(JSON.parse(t.out[0]!));
    expect(r.status).toBe('stopped');
    const l = r.profiles[0]!.levels[0]!;
    expect(l.stopped).toBe(true);
    expect(l.aggregate.succeeded).toBeGreaterThan(0);
    expect(l.aggregate.succeeded).toBeLessThan(500);
  });

  it('a server that refuses connections fails with exit 1 and says why', async () => {
    const t = io();
    expect(await runCli(['bench', '--url', 'http://127.0.0.1:9', '--requests', '2', '--model', 'm'], t.io)).toBe(1);
    expect(t.out.join('\n')).toContain('connection_refused×2');
  });
});

describe('vllm-panel bench --sweep', () => {
  beforeAll(async () => {
    await ensureSimBuilt();
  }, 60_000);

  it('starts each profile on the simulator, compares them, and stops the server', async () => {
    const port = await freePort();
    const t = io();
    const code = await runCli(
      [
        'bench',
        '--sweep',
        '--profiles',
        'THROUGHPUT,low-latency',
        '--concurrency',
        '2',
        '--requests',
        '4',
        '--output-tokens',
        '8',
        '--runtime',
        'sim',
        '--set',
        `port=${port}`,
        '--json',
      ],
      t.io,
    );
    expect(code).toBe(0);
    const r = BenchResultSchema.parse(JSON.parse(t.out[0]!));
    expect(r.profiles.map((p) => [p.profileName, p.status, p.levels[0]?.aggregate.succeeded])).toEqual([
      ['THROUGHPUT', 'done', 4],
      ['LOW_LATENCY', 'done', 4],
    ]);
    expect(r.profiles[0]!.flags.port).toBe(port);
    expect(r.environment.gpuSource).toBe('simulated');
    expect(await listening(port)).toBe(false);
  }, 60_000);

  it('Ctrl-C during a sweep stops the server tree and keeps the partial result', async () => {
    const port = await freePort();
    const t = io({ VLLM_SIM_SPEED: '5' }, { when: / throughput @ 2 running/, afterMs: 1500 });
    const code = await runCli(
      [
        'bench',
        '--sweep',
        '--profiles',
        'THROUGHPUT,LOW_LATENCY',
        '--concurrency',
        '2',
        '--duration',
        '60',
        '--output-tokens',
        '64',
        '--runtime',
        'sim',
        '--set',
        `port=${port}`,
        '--json',
      ],
      t.io,
    );
    expect(code).toBe(130);
    const r = BenchResultSchema.parse(JSON.parse(t.out[0]!));
    expect(r.status).toBe('stopped');
    expect(r.profiles[0]!.status).toBe('stopped');
    expect(r.profiles[0]!.levels[0]?.stopped).toBe(true);
    expect(r.profiles[1]!.status).toBe('stopped');
    expect(await listening(port)).toBe(false);
  }, 60_000);
});
