import { useState } from 'react';
import { type BenchResultDto, OBJECTIVES } from '../../contract';
import type { BenchProgress } from '../../stores/bench-store';
import { BenchChart } from './BenchChart';
import { fmtDuration, fmtNum, type LatencyMetric, PHASE_TEXT, profileName, throughputLatencyCurves, winnerText } from './bench-view';

export function BenchProgressView({ progress, result }: { progress: BenchProgress; result: BenchResultDto | null }) {
  const pct = Math.round(progress.fraction * 100);
  const l = progress.live;
  const who = result && progress.profileId ? profileName(result, progress.profileId) : progress.profileId;
  return (
    <section className="bench-progress" data-testid="bench-progress" data-phase={progress.phase} aria-live="polite">
      <div className="bench-progress__line">
        <strong>{PHASE_TEXT[progress.phase] ?? progress.phase}</strong>
        {who && <span>{who}</span>}
        {progress.level !== null && <span>at {progress.level}</span>}
        <span className="bench-progress__eta">
          {pct}% · {fmtDuration(progress.elapsedS)} elapsed ·{' '}
          {progress.etaS === null ? 'ETA estimating…' : `about ${fmtDuration(progress.etaS)} left`}
        </span>
      </div>
      <div className="bench-progress__bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
        <span style={{ width: `${pct}%` }} />
      </div>
      {l && (
        <div className="bench-progress__live" data-testid="bench-live">
          <span>{l.completed} done</span>
          <span>{l.inFlight} in flight</span>
          {l.errors > 0 && <span className="bench-progress__errors">{l.errors} errors</span>}
          <span>{fmtNum(l.outputTokensPerS, 0)} tok/s</span>
          <span>TTFT p50 {fmtNum(l.ttftP50Ms, 0)} ms</span>
          <span>ITL mean {fmtNum(l.itlMeanMs, 1)} ms</span>
        </div>
      )}
    </section>
  );
}

function Winners({ r }: { r: BenchResultDto }) {
  return (
    <ul className="bench-winners" aria-label="Winner per objective">
      {OBJECTIVES.map((o) => {
        const def = r.comparison.objectives.find((x) => x.objective === o);
        const w = winnerText(r, o);
        return (
          <li
            key={o}
            className={`bench-winner${w.winner ? ' bench-winner--won' : ''}`}
            data-testid={`bench-winner-${o}`}
            data-winner={def?.winner ?? ''}
          >
            <span className="bench-winner__label">{def?.label ?? o}</span>
            <strong className="bench-winner__name">{w.winner ?? 'no clear winner'}</strong>
            {w.detail && <span className="bench-winner__detail">{w.detail}</span>}
          </li>
        );
      })}
    </ul>
  );
}

function ResultTable({ r }: { r: BenchResultDto }) {
  const winners = new Map<string, string | null>();
  for (const o of r.comparison.objectives) for (const l of o.perLevel) winners.set(`${o.objective}@${l.level}`, l.winner);
  const mark = (objective: string, level: number, profileId: string) =>
    winners.get(`${objective}@${level}`) === profileId ? ' bench-table__best' : '';
  return (
    <div className="bench-table-wrap">
      <table className="bench-table" data-testid="bench-table">
        <thead>
          <tr>
            <th scope="col">Profile</th>
            <th scope="col">{r.levels.mode === 'rate' ? 'Rate' : 'Conc.'}</th>
            <th scope="col">OK / sent</th>
            <th scope="col">Output tok/s</th>
            <th scope="col">Req/s</th>
            <th scope="col">Goodput/s</th>
            <th scope="col">TTFT p50 / p95</th>
            <th scope="col">ITL p50 / p99</th>
            <th scope="col">Stall p90</th>
            <th scope="col">Server tok/s</th>
          </tr>
        </thead>
        <tbody>
          {r.profiles.map((p) =>
            p.levels.length === 0 ? (
              <tr key={p.profileId} className="bench-table__note">
                <th scope="row">{p.profileName}</th>
                <td colSpan={9}>
                  {p.status}
                  {p.message ? ` — ${p.message}` : ''}
                </td>
              </tr>
            ) : (
              p.levels.map((l) => {
                const a = l.aggregate;
                const errs = a.requests - a.succeeded;
                return (
                  <tr key={`${p.profileId}@${l.load.value}`}>
                    <th scope="row">{p.profileName}</th>
                    <td>
                      {l.load.value}
                      {l.stopped ? '*' : ''}
                    </td>
                    <td
                      title={
                        Object.entries(a.errorsByKind)
                          .map(([k, v]) => `${k}: ${v}`)
                          .join(', ') || undefined
                      }
                    >
                      {a.succeeded} / {a.requests}
                      {errs > 0 ? ' ⚠' : ''}
                    </td>
                    <td className={`num${mark('max-output-tps', l.load.value, p.profileId)}`}>{fmtNum(a.outputTokensPerS, 0)}</td>
                    <td className="num">{fmtNum(a.requestsPerS, 2)}</td>
                    <td className={`num${mark('max-goodput', l.load.value, p.profileId)}`}>{fmtNum(a.goodputPerS, 2)}</td>
                    <td className={`num${mark('min-p95-ttft', l.load.value, p.profileId)}`}>
                      {fmtNum(a.ttftMs.p50, 0)} / {fmtNum(a.ttftMs.p95, 0)}
                    </td>
                    <td className={`num${mark('min-p50-itl', l.load.value, p.profileId)}`}>
                      {fmtNum(a.itlMs.p50, 1)} / {fmtNum(a.itlMs.p99, 1)}
                    </td>
                    <td className={`num${mark('min-p90-stall', l.load.value, p.profileId)}`}>{fmtNum(a.stallMs.p90, 0)}</td>
                    <td className="num">{fmtNum(l.server?.generationTokensPerS, 0)}</td>
                  </tr>
                );
              })
            ),
          )}
        </tbody>
      </table>
      <p className="bench-table__foot">
        Latencies in ms; * stopped before its limit. Highlighted: the winner of that column at that level (values within{' '}
        {Math.round(r.comparison.tolerance * 100)} % count as a tie).
      </p>
    </div>
  );
}

function Environment({ r }: { r: BenchResultDto }) {
  const e = r.environment;
  const gpu = e.gpus.length
    ? `${e.gpus.length > 1 ? `${e.gpus.length}× ` : ''}${e.gpus[0]!.name}${e.gpuSource === 'simulated' ? ' (simulated)' : ''}`
    : 'unknown GPU';
  return (
    <p className="bench-env" data-testid="bench-env">
      {gpu} · driver {e.driverVersion ?? '–'} · vLLM {e.vllmVersion ?? '–'} · {e.model ?? 'model unknown'}
      {e.runtime ? ` · ${e.runtime.label}` : ''}
    </p>
  );
}

export interface BenchResultsViewProps {
  /** One result (its comparison), or several saved runs side by side. */
  results: BenchResultDto[];
  running: boolean;
}

export function BenchResultsView({ results, running }: BenchResultsViewProps) {
  const [metric, setMetric] = useState<LatencyMetric>('itlP50');
  const curves = throughputLatencyCurves(results, metric);
  const single = results.length === 1 ? results[0]! : null;
  return (
    <section className="bench-results" data-testid="bench-results" data-status={single?.status ?? 'compare'} aria-label="Benchmark results">
      {single ? (
        <header className="bench-results__head">
          <h3>{single.name}</h3>
          <span className={`pill bench-status bench-status--${single.status}`}>
            {running && single.status === 'running' ? 'running' : single.status}
          </span>
          {single.message && <span className="bench-results__message">{single.message}</span>}
        </header>
      ) : (
        <header className="bench-results__head">
          <h3>Comparing {results.length} runs</h3>
        </header>
      )}
      {single && <Environment r={single} />}
      {single && single.profiles.length > 1 && <Winners r={single} />}
      <BenchChart curves={curves} metric={metric} onMetric={setMetric} />
      {single ? (
        <ResultTable r={single} />
      ) : (
        results.map((r) => (
          <div key={r.id} className="bench-results__run">
            <h4>{r.name}</h4>
            <Environment r={r} />
            <ResultTable r={r} />
          </div>
        ))
      )}
    </section>
  );
}
