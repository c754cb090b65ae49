import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BenchResultSchema } from '../contract/bench';
import { compareProfiles } from './compare';
import { CSV_COLUMNS, csvCell, exportResults, mdCell, toCsv } from './export';
import { sweepFixture } from './fixtures/results';
import { BenchStore, newBenchId, summarizeResult } from './store';

/** A minimal RFC 4180 reader, to check what we write parses back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (q) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') q = false;
      else cell += c;
    } else if (c === '"') q = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

describe('result schema', () => {
  it('round-trips through JSON unchanged', () => {
    const r = sweepFixture();
    const back = BenchResultSchema.parse(JSON.parse(JSON.stringify(r)));
    expect(back).toEqual(r);
  });

  it('rejects a result with a NaN-turned-null where a number is required, or a bad id', () => {
    const r = sweepFixture() as unknown as { profiles: { levels: { aggregate: { outputTokensPerS: unknown } }[] }[]; id: string };
    r.profiles[0]!.levels[0]!.aggregate.outputTokensPerS = null;
    expect(BenchResultSchema.safeParse(r).success).toBe(false);
    expect(BenchResultSchema.safeParse({ ...sweepFixture(), id: '../etc/passwd' }).success).toBe(false);
  });
});

describe('comparison', () => {
  it('picks the winner per objective and level, with ties inside the tolerance', () => {
    const c = compareProfiles(sweepFixture());
    const o = (name: string) => c.objectives.find((x) => x.objective === name)!;
    // tokens/s: 100 vs 101 at 1 is a tie (1 %), 3000 vs 2000 at 64 → THROUGHPUT.
    expect(o('max-output-tps').perLevel).toEqual([
      {
        level: 1,
        values: { throughput: 100, 'low-latency': 101, 'long-context': null },
        winner: null,
        tied: ['throughput', 'low-latency'],
      },
      { level: 64, values: { throughput: 3000, 'low-latency': 2000, 'long-context': null }, winner: 'throughput', tied: [] },
    ]);
    expect(o('max-output-tps').winner).toBe('throughput');
    expect(o('min-p50-itl').perLevel.map((l) => l.winner)).toEqual([null, 'low-latency']);
    expect(o('min-p90-stall').winner).toBe('low-latency');
    expect(o('min-p90-stall').wins).toEqual({ throughput: 0, 'low-latency': 2, 'long-context': 0 });
    expect(o('min-p95-ttft').perLevel.map((l) => l.winner)).toEqual(['throughput', 'throughput']);
    expect(o('max-goodput').perLevel.map((l) => l.winner)).toEqual([null, 'throughput']);
  });

  it('declares no overall winner when the level wins are tied', () => {
    const r = sweepFixture();
    r.profiles[1]!.levels[0]!.aggregate.outputTokensPerS = 200;
    expect(compareProfiles(r).objectives[0]!.winner).toBeNull();
  });
});

describe('CSV', () => {
  it('writes one row per profile × level that parses back, with quoting where needed', () => {
    const text = toCsv([sweepFixture()]);
    const rows = parseCsv(text);
    expect(rows[0]).toEqual(CSV_COLUMNS.map((c) => c[0]));
    expect(rows).toHaveLength(1 + 4); // the skipped profile has no levels
    const col = (name: string) => rows[0]!.indexOf(name);
    expect(rows[1]![col('run_name')]).toBe('THROUGHPUT vs LOW_LATENCY, "quoted", with | pipe');
    expect(rows[2]![col('profile')]).toBe('THROUGHPUT');
    expect(rows[2]![col('load_value')]).toBe('64');
    expect(rows[2]![col('output_tokens_per_s')]).toBe('3000');
    expect(rows[4]![col('stall_p90_ms')]).toBe('200');
    expect(rows[1]![col('server_generation_tokens_per_s')]).toBe(''); // not recorded → empty
    expect(text).toContain('"THROUGHPUT vs LOW_LATENCY, ""quoted"", with | pipe"');
  });

  it('quotes cells per RFC 4180', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell(' padded')).toBe('" padded"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(false)).toBe('false');
  });
});

describe('Markdown report', () => {
  it('has the environment, the workload, a row per level, the skipped profile and the winners', () => {
    const { text, mime, filename } = exportResults([sweepFixture()], 'markdown');
    expect(mime).toBe('text/markdown');
    expect(filename).toBe('vllm-bench-20250101-120000-abcd.md');
    expect(text).toContain('# Benchmark: THROUGHPUT vs LOW\\_LATENCY, "quoted", with \\| pipe');
    expect(text).toContain('| GPU | H100-80GB (79 GiB) — simulated |');
    expect(text).toContain('| vLLM | 0.13.0 (Simulator (no GPU)) |');
    expect(text).toContain('- SLOs: TTFT ≤ 500 ms');
    expect(text).toContain('| THROUGHPUT | 64 | 10 / 10 | 3000 | 1.00 | 0.50 | 562.5 / 900.0 | 40.00 / 76.00 | 400.0 | 1000.0 | – |');
    expect(text).toContain('| LONG\\_CONTEXT | – | skipped: planner says the KV cache cannot hold one 65536-token sequence |');
    expect(text).toContain('- **Most output tokens/s**: THROUGHPUT — per level 1: tie (THROUGHPUT, LOW\\_LATENCY); 64: THROUGHPUT');
    expect(text).toContain('- **Shortest stalls (p90 of each answer’s longest pause)**: LOW\\_LATENCY');
  });

  it('compares several runs in one report', () => {
    const a = sweepFixture('20250101-120000-aaaa');
    const b = sweepFixture('20250102-120000-bbbb');
    b.name = 'second';
    b.profiles[0]!.levels[1]!.aggregate.outputTokensPerS = 3500;
    const { text, filename } = exportResults([a, b], 'markdown');
    expect(filename).toBe('vllm-bench-2-runs.md');
    expect(text).toContain('# Benchmark comparison: 2 runs');
    expect(text).toContain('| second | THROUGHPUT | 3500 | 64 | 50.0 | 10.00 |');
    expect(text.match(/^## /gm)).toHaveLength(2);
  });

  it('escapes table-breaking characters', () => {
    expect(mdCell('a|b\nc *d* `e`')).toBe('a\\|b c \\*d\\* \\`e\\`');
  });
});

describe('store', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('saves atomically, lists newest first, gets, deletes, and skips a corrupt file', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bench-store-'));
    const s = new BenchStore(dir);
    const a = sweepFixture('20250101-120000-aaaa');
    const b = { ...sweepFixture('20250102-120000-bbbb'), createdAt: a.createdAt + 86_400_000 };
    await s.save(a);
    await s.save(b);
    await writeFile(join(dir, '20250103-000000-cccc.json'), '{"schemaVersion": 1, "id": "x"');
    const { runs, problems } = await s.list();
    expect(runs.map((r) => r.id)).toEqual([b.id, a.id]);
    expect(runs[0]).toEqual(summarizeResult(b));
    expect(runs[0]!.bestOutputTps).toBe(3000);
    expect(runs[0]!.gpu).toBe('H100-80GB');
    expect(problems).toHaveLength(1);
    expect(await s.get(a.id)).toEqual(a);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await s.delete(a.id);
    await expect(s.get(a.id)).rejects.toMatchObject({ kind: 'not_found' });
    await expect(s.get('../../x')).rejects.toMatchObject({ kind: 'invalid_argument' });
    expect(JSON.parse(await readFile(join(dir, `${b.id}.json`), 'utf8')).id).toBe(b.id);
  });

  it('makes sortable ids', () => {
    expect(newBenchId(Date.UTC(2025, 5, 7, 8, 9, 10))).toMatch(/^20250607-080910-[0-9a-f]{4}$/);
  });
});
