// Exports of saved results: JSON (the results as stored), CSV (one row per run × profile × load
// level, RFC 4180 quoting) and a Markdown report (environment, workload, tables, winners).
import type { BenchResultDto, ExportFormat, LevelResultDto, ProfileRunDto, SummaryDto, WorkloadDto } from '../contract/bench';
import { OBJECTIVE_DEFS } from './compare';

export interface Exported {
  text: string;
  mime: string;
  filename: string;
}

export function exportResults(results: readonly BenchResultDto[], format: ExportFormat): Exported {
  const base = results.length === 1 ? `vllm-bench-${results[0]!.id}` : `vllm-bench-${results.length}-runs`;
  switch (format) {
    case 'json':
      return {
        text: `${JSON.stringify(results.length === 1 ? results[0] : results, null, 2)}\n`,
        mime: 'application/json',
        filename: `${base}.json`,
      };
    case 'csv':
      return { text: toCsv(results), mime: 'text/csv', filename: `${base}.csv` };
    case 'markdown':
      return { text: toMarkdown(results), mime: 'text/markdown', filename: `${base}.md` };
  }
}

type Row = [string, (r: BenchResultDto, p: ProfileRunDto, l: LevelResultDto) => string | number | boolean | null];

const n = (x: number | null | undefined, digits = 2): number | null =>
  x === null || x === undefined || !Number.isFinite(x) ? null : Number(x.toFixed(digits));

export const CSV_COLUMNS: readonly Row[] = [
  ['run_id', (r) => r.id],
  ['run_name', (r) => r.name],
  ['created_at', (r) => new Date(r.createdAt).toISOString()],
  ['model', (r) => r.environment.model],
  ['gpu', (r) => r.environment.gpus.map((g) => g.name).join('+') || null],
  ['vllm_version', (r, p) => p.vllmVersion ?? r.environment.vllmVersion],
  ['profile', (_r, p) => p.profileName],
  ['profile_status', (_r, p) => p.status],
  ['load_mode', (_r, _p, l) => l.load.mode],
  ['load_value', (_r, _p, l) => l.load.value],
  ['requests', (_r, _p, l) => l.aggregate.requests],
  ['succeeded', (_r, _p, l) => l.aggregate.succeeded],
  ['errors', (_r, _p, l) => l.aggregate.requests - l.aggregate.succeeded],
  ['cancelled', (_r, _p, l) => l.aggregate.cancelled],
  ['duration_s', (_r, _p, l) => n(l.aggregate.durationS, 3)],
  ['requests_per_s', (_r, _p, l) => n(l.aggregate.requestsPerS, 3)],
  ['output_tokens_per_s', (_r, _p, l) => n(l.aggregate.outputTokensPerS, 1)],
  ['total_tokens_per_s', (_r, _p, l) => n(l.aggregate.totalTokensPerS, 1)],
  ['goodput_per_s', (_r, _p, l) => n(l.aggregate.goodputPerS, 3)],
  ['goodput_pct', (_r, _p, l) => n(l.aggregate.goodputPct, 1)],
  ['ttft_p50_ms', (_r, _p, l) => n(l.aggregate.ttftMs.p50)],
  ['ttft_p95_ms', (_r, _p, l) => n(l.aggregate.ttftMs.p95)],
  ['ttft_p99_ms', (_r, _p, l) => n(l.aggregate.ttftMs.p99)],
  ['itl_p50_ms', (_r, _p, l) => n(l.aggregate.itlMs.p50, 3)],
  ['itl_p95_ms', (_r, _p, l) => n(l.aggregate.itlMs.p95, 3)],
  ['itl_p99_ms', (_r, _p, l) => n(l.aggregate.itlMs.p99, 3)],
  ['tpot_p50_ms', (_r, _p, l) => n(l.aggregate.tpotMs.p50, 3)],
  ['stall_p90_ms', (_r, _p, l) => n(l.aggregate.stallMs.p90)],
  ['e2e_p50_ms', (_r, _p, l) => n(l.aggregate.e2eMs.p50)],
  ['e2e_p95_ms', (_r, _p, l) => n(l.aggregate.e2eMs.p95)],
  ['server_generation_tokens_per_s', (_r, _p, l) => n(l.server?.generationTokensPerS, 1)],
  ['server_prefix_hit_pct', (_r, _p, l) => n(l.server?.prefixHitRatePct, 1)],
  ['server_preemptions', (_r, _p, l) => l.server?.preemptions ?? null],
  ['client_overhead_us_per_token', (_r, _p, l) => n(l.client.overheadUsPerToken)],
  ['stopped', (_r, _p, l) => l.stopped],
];

export function csvCell(v: string | number | boolean | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function toCsv(results: readonly BenchResultDto[]): string {
  const lines = [CSV_COLUMNS.map((c) => c[0]).join(',')];
  for (const r of results)
    for (const p of r.profiles) for (const l of p.levels) lines.push(CSV_COLUMNS.map((c) => csvCell(c[1](r, p, l))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

// ---------------------------------------------------------------------------------------------
// Markdown

/** Escapes what would break a table cell or start markup. */
export function mdCell(v: string): string {
  return v
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ')
    .replace(/([*_`<>[\]])/g, '\\$1');
}

const fmt = (x: number | null | undefined, digits = 1): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits);

function dist(d: WorkloadDto['outputTokens']): string {
  return d.kind === 'fixed' ? `${d.value}` : `${d.min}–${d.max} (uniform)`;
}

export function describeWorkload(w: WorkloadDto): string[] {
  const prompt =
    w.prompt.kind === 'synthetic'
      ? `${dist(w.prompt.tokens)} tokens${w.prompt.sharedPrefixRatio > 0 ? `, ${Math.round(w.prompt.sharedPrefixRatio * 100)} % shared prefix` : ''}`
      : `from ${w.prompt.path}`;
  const slo = [
    w.slo.ttftMs && `TTFT ≤ ${w.slo.ttftMs} ms`,
    w.slo.itlMs && `ITL ≤ ${w.slo.itlMs} ms`,
    w.slo.e2eMs && `E2E ≤ ${w.slo.e2eMs} ms`,
  ].filter(Boolean);
  return [
    `API: ${w.api === 'chat' ? '/v1/chat/completions' : '/v1/completions'}${w.model ? ` · model ${w.model}` : ''}`,
    `Prompts: ${prompt}`,
    `Output: ${dist(w.outputTokens)} tokens${w.ignoreEos ? ' (ignore_eos)' : ''}`,
    `Length: ${[w.requests !== undefined && `${w.requests} requests`, w.durationS !== undefined && `${w.durationS} s`].filter(Boolean).join(' or ')} per level${w.warmupRequests ? `, ${w.warmupRequests} warm-up requests` : ''}`,
    `SLOs: ${slo.length ? slo.join(', ') : 'none (goodput = successful requests/s)'}`,
    `Seed: ${w.seed}`,
  ];
}

const pct = (s: SummaryDto, k: 'p50' | 'p95' | 'p90' | 'p99') => fmt(s[k]);

function resultSection(r: BenchResultDto, heading: string): string[] {
  const e = r.environment;
  const out: string[] = [];
  out.push(`${heading} ${mdCell(r.name)}`, '');
  out.push(
    `${r.kind === 'sweep' ? 'Profile sweep' : 'Single run'} · ${new Date(r.createdAt).toISOString()} · status **${r.status}**${r.message ? ` — ${mdCell(r.message)}` : ''}`,
    '',
  );
  out.push('| Environment | |', '|---|---|');
  out.push(
    `| GPU | ${mdCell(e.gpus.map((g) => `${g.name}${g.memoryGiB ? ` (${g.memoryGiB.toFixed(0)} GiB)` : ''}`).join(', ') || 'unknown')}${e.gpuSource === 'simulated' ? ' — simulated' : ''} |`,
  );
  out.push(`| Driver / CUDA | ${mdCell(e.driverVersion ?? '–')} / ${mdCell(e.cudaVersion ?? '–')} |`);
  out.push(`| vLLM | ${mdCell(e.vllmVersion ?? '–')}${e.runtime ? ` (${mdCell(e.runtime.label)})` : ''} |`);
  out.push(`| Model | ${mdCell(e.model ?? '–')} |`);
  if (e.url) out.push(`| Server | ${mdCell(e.url)} |`);
  out.push(`| Panel | ${mdCell(e.panelVersion)} on ${mdCell(e.platform)}${e.cpu ? `, ${mdCell(e.cpu)}` : ''} |`, '');
  out.push('Workload:', '', ...describeWorkload(r.workload).map((l) => `- ${mdCell(l)}`), '');
  out.push(
    `| Profile | ${r.levels.mode === 'rate' ? 'Rate (req/s)' : 'Concurrency'} | OK / sent | Output tok/s | Req/s | Goodput/s | TTFT p50 / p95 (ms) | ITL p50 / p99 (ms) | Stall p90 (ms) | E2E p50 (ms) | Server tok/s |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const p of r.profiles) {
    if (p.levels.length === 0) {
      const why = p.message ? (p.message.startsWith(p.status) ? p.message : `${p.status}: ${p.message}`) : p.status;
      out.push(`| ${mdCell(p.profileName)} | – | ${mdCell(why)} | | | | | | | | |`);
      continue;
    }
    for (const l of p.levels) {
      const a = l.aggregate;
      out.push(
        `| ${mdCell(p.profileName)} | ${l.load.value}${l.stopped ? ' (stopped)' : ''} | ${a.succeeded} / ${a.requests} | ${fmt(a.outputTokensPerS, 0)} | ${fmt(a.requestsPerS, 2)} | ${fmt(a.goodputPerS, 2)} | ${pct(a.ttftMs, 'p50')} / ${pct(a.ttftMs, 'p95')} | ${fmt(a.itlMs.p50, 2)} / ${fmt(a.itlMs.p99, 2)} | ${pct(a.stallMs, 'p90')} | ${pct(a.e2eMs, 'p50')} | ${fmt(l.server?.generationTokensPerS, 0)} |`,
      );
    }
  }
  out.push('');
  if (r.profiles.length > 1) {
    out.push('Winners:', '');
    for (const o of r.comparison.objectives) {
      const name = (id: string | null) =>
        id === null ? 'no clear winner' : (r.profiles.find((p) => p.profileId === id)?.profileName ?? id);
      const byLevel = o.perLevel
        .map((pl) => `${pl.level}: ${pl.winner ? name(pl.winner) : pl.tied.length ? `tie (${pl.tied.map(name).join(', ')})` : '–'}`)
        .join('; ');
      out.push(`- **${mdCell(o.label)}**: ${mdCell(name(o.winner))}${byLevel ? ` — per level ${mdCell(byLevel)}` : ''}`);
    }
    out.push('', `Values within ${Math.round(r.comparison.tolerance * 100)} % of each other count as a tie.`, '');
  }
  const errors = r.profiles.flatMap((p) =>
    p.levels.flatMap((l) => l.errorSamples.map((s) => `${p.profileName} @ ${l.load.value}: ${s.kind} — ${s.message}`)),
  );
  if (errors.length) out.push('Errors:', '', ...errors.slice(0, 20).map((e) => `- ${mdCell(e)}`), '');
  const issues = r.profiles.flatMap((p) => p.levels.flatMap((l) => l.promptIssues)).slice(0, 10);
  if (issues.length) out.push('Prompt file lines skipped:', '', ...[...new Set(issues)].map((e) => `- ${mdCell(e)}`), '');
  return out;
}

export function toMarkdown(results: readonly BenchResultDto[]): string {
  const out: string[] = [];
  if (results.length === 1) out.push(...resultSection(results[0]!, '# Benchmark:'));
  else {
    out.push(`# Benchmark comparison: ${results.length} runs`, '');
    out.push(
      '| Run | Profile | Best output tok/s | at load | Lowest TTFT p95 (ms) | Lowest ITL p50 (ms) |',
      '|---|---|---:|---:|---:|---:|',
    );
    for (const r of results) {
      for (const p of r.profiles) {
        const lv = p.levels.filter((l) => l.aggregate.succeeded > 0);
        if (!lv.length) continue;
        const best = lv.reduce((b, l) => (l.aggregate.outputTokensPerS > b.aggregate.outputTokensPerS ? l : b));
        const minOf = (f: (l: LevelResultDto) => number | null) => {
          const xs = lv.map(f).filter((x): x is number => x !== null);
          return xs.length ? Math.min(...xs) : null;
        };
        out.push(
          `| ${mdCell(r.name)} | ${mdCell(p.profileName)} | ${fmt(best.aggregate.outputTokensPerS, 0)} | ${best.load.value} | ${fmt(minOf((l) => l.aggregate.ttftMs.p95))} | ${fmt(
            minOf((l) => l.aggregate.itlMs.p50),
            2,
          )} |`,
        );
      }
    }
    out.push('');
    for (const r of results) out.push(...resultSection(r, '##'));
  }
  out.push(`_Objectives: ${OBJECTIVE_DEFS.map((d) => d.label).join('; ')}._`, '');
  return out.join('\n');
}
