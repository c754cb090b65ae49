import type { WindowStats } from '../../contract/metrics';
import { normaliseBaseUrl } from '../../metrics/fetch-text';
import { type ProbeResult, probeServer } from '../../metrics/probe';
import { type CliCommand, UsageError } from '../types';

/** vLLM's default port (and the launcher's). */
const DEFAULT_URL = 'http://127.0.0.1:8000';

type Q = WindowStats['latency']['ttft']['p50'];

/** Seconds → "85 ms" / "1.24 s"; "≥" when the quantile fell in the +Inf bucket. */
export function fmtLatency(q: Q): string {
  if (!q) return '-';
  const v = q.value;
  const s = v < 1 ? `${(v * 1000).toFixed(v < 0.01 ? 1 : 0)} ms` : `${v.toFixed(2)} s`;
  return `${q.atLeast ? '≥' : ''}${s}`;
}

const fmtRate = (v: number, digits = 1) => v.toFixed(digits);
const pct = (v: number | null) => (v === null ? '-' : `${v.toFixed(1)} %`);

/** The human report (exported for tests). */
export function formatStatus(r: ProbeResult, apiKeyGiven: boolean): string {
  const out: string[] = [];
  const health = r.health.ok ? 'healthy' : `UNHEALTHY (${r.health.error?.message ?? `HTTP ${r.health.status}`})`;
  out.push(`vLLM ${r.version ?? '(version unknown)'} at ${r.url}: ${health}`);
  if (r.models && r.models.length > 0) {
    out.push('Models:');
    const w = Math.max(...r.models.map((m) => m.id.length));
    for (const m of r.models) out.push(`  ${m.id.padEnd(w)}  max_model_len ${m.maxModelLen ?? '?'}`);
  } else if (r.modelsError) {
    out.push(`Models: ${r.modelsError}${/API key/.test(r.modelsError) && !apiKeyGiven ? ' (pass --api-key)' : ''}`);
  }
  const m = r.metrics;
  if (!m.ok) {
    out.push(`Metrics: ${m.error?.message ?? 'not available'}`);
    return out.join('\n');
  }
  if (m.engines.length > 1) out.push(`Engines: ${m.engines.length} (data parallel)`);
  const w = m.window;
  if (w) {
    out.push(`Now (two scrapes ${w.windowS.toFixed(1)} s apart):`);
    out.push(`  generation   ${fmtRate(w.generationTokensPerS).padStart(9)} tokens/s`);
    out.push(`  prompt       ${fmtRate(w.promptTokensPerS).padStart(9)} tokens/s`);
    out.push(`  finished     ${fmtRate(w.requestsPerS, 2).padStart(9)} requests/s`);
    out.push(`  running ${w.running} · waiting ${w.waiting} · preemptions ${fmtRate(w.preemptionsPerS, 2)}/s`);
    const kvMax = w.kvUsageMaxPct !== null && m.engines.length > 1 ? ` (max ${pct(w.kvUsageMaxPct)} of ${m.engines.length} engines)` : '';
    out.push(`  KV cache     ${pct(w.kvUsagePct).padStart(9)}${kvMax}`);
    out.push(`  prefix hits  ${(w.prefixHitRatePct === null ? 'no lookups' : pct(w.prefixHitRatePct)).padStart(9)}`);
  } else if (m.error) out.push(`Now: the second scrape failed (${m.error.message})`);
  const windowHas = w !== null && w.latency.ttft.n > 0;
  const lat = windowHas ? w!.latency : m.sinceStart;
  if (lat) {
    const n = lat.e2e.n || lat.ttft.n;
    out.push(
      windowHas ? `Latency (requests in those ${w!.windowS.toFixed(1)} s):` : `Latency (all ${n} requests since the server started):`,
    );
    if (lat.ttft.n === 0 && lat.e2e.n === 0) out.push('  no finished requests yet');
    else {
      out.push(
        `  TTFT   p50 ${fmtLatency(lat.ttft.p50).padEnd(9)} p95 ${fmtLatency(lat.ttft.p95).padEnd(9)} p99 ${fmtLatency(lat.ttft.p99)}`,
      );
      out.push(`  ITL    p50 ${fmtLatency(lat.itl.p50).padEnd(9)} p95 ${fmtLatency(lat.itl.p95)}`);
      out.push(`  E2E    p50 ${fmtLatency(lat.e2e.p50).padEnd(9)} p95 ${fmtLatency(lat.e2e.p95)}`);
      out.push(`  queue  p50 ${fmtLatency(lat.queue.p50).padEnd(9)} p95 ${fmtLatency(lat.queue.p95)}`);
      out.push('  (percentiles are interpolated inside the Prometheus histogram buckets, like histogram_quantile)');
    }
  }
  if (m.parseIssues > 0) out.push(`Note: ${m.parseIssues} lines of /metrics could not be parsed and were skipped.`);
  out.push(`Tip: ${r.accessLogTip.label.replace(/^vLLM logs/, "if you scrape /metrics continuously, vLLM's log gets")}.`);
  return out.join('\n');
}

export const statusCommand: CliCommand = {
  name: 'status',
  summary: 'health, version, models and live serving stats of a running vLLM server (any server, by URL)',
  usage: [
    'Usage: vllm-panel status [--url URL] [--api-key KEY] [--gap-ms MS] [--json]',
    '',
    'Looks at a running vLLM server, started by the panel or not: GET /health, /version and',
    '/v1/models (served models with max_model_len), then scrapes /metrics twice and prints tokens/s,',
    'requests running and waiting, KV-cache use, prefix-cache hit rate and TTFT/ITL/E2E percentiles.',
    '',
    `  --url URL       the server (default ${DEFAULT_URL}); http://host:port, with or without /metrics`,
    '  --api-key KEY   sent as a bearer token (vLLM checks it on /v1/*); default: $VLLM_API_KEY',
    '  --gap-ms MS     time between the two scrapes (default 1000)',
    '  --json          the whole result as one JSON document',
    '',
    'Exit status: 0 healthy with metrics, 1 unreachable, unhealthy or no metrics, 2 usage error.',
  ].join('\n'),
  async run(args, { io, json }) {
    let url = DEFAULT_URL;
    let apiKey = io.env.VLLM_API_KEY || undefined;
    let gapMs = 1000;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      const [flag, inline] =
        a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
      const value = () => {
        const v = inline ?? args[++i];
        if (v === undefined || (inline === undefined && v.startsWith('--'))) throw new UsageError(`${flag} needs a value`);
        return v;
      };
      if (flag === '--url') url = value();
      else if (flag === '--api-key') apiKey = value();
      else if (flag === '--gap-ms') {
        gapMs = Number(value());
        if (!Number.isInteger(gapMs) || gapMs < 100 || gapMs > 60_000)
          throw new UsageError('--gap-ms must be a whole number from 100 to 60000');
      } else throw new UsageError(`unknown option '${a}'`);
    }
    let base: string;
    try {
      base = normaliseBaseUrl(url);
    } catch (err) {
      throw new UsageError(`--url: ${(err as Error).message}`);
    }
    const r = await probeServer(globalThis.fetch, base, { ...(apiKey ? { apiKey } : {}), gapMs });
    const ok = r.reachable && r.health.ok && r.metrics.ok;
    if (json) {
      io.out(JSON.stringify(r, null, 2));
      return ok ? 0 : 1;
    }
    if (!r.reachable) {
      const e = r.health.error;
      const why =
        e?.kind === 'refused' ? 'connection refused' : e?.kind === 'timeout' ? `no answer within 3 s` : (e?.message ?? 'unreachable');
      io.err(
        [
          `no server at ${base} (${why}): is vLLM running?`,
          'Start it with `vllm-panel run` (add `--runtime sim` to try the simulator), or pass --url for a server elsewhere.',
        ].join('\n'),
      );
      return 1;
    }
    io.out(formatStatus(r, Boolean(apiKey)));
    return ok ? 0 : 1;
  },
};
