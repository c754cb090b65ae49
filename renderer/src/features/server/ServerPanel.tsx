import { type ReactNode, useState } from 'react';
import { Panel } from '../../components/Panel';
import { useNow } from '../../components/use-now';
import type { DiagnosisDto, Remedy, StopReport } from '../../contract';
import { useLogsStore } from '../../stores/logs-store';
import { useNavStore } from '../../stores/nav-store';
import { diagnosisSeq, type Leftover, type ServerState, useServerStore } from '../../stores/server-store';
import {
  comparisonRows,
  diagnosisNumbers,
  elapsedFor,
  errorKindLabel,
  factRows,
  formatDelta,
  formatElapsed,
  formatPhaseDuration,
  leftoverMemory,
  PHASE_LABELS,
  type PhaseRow,
  phaseRows,
  STATUS_LABELS,
  stopSummary,
} from './server-format';
import { CheckIcon, CrossIcon, ServerIcon, WarnIcon } from './server-icons';
import './server.css';

/**
 * The Launch page's server view: leftovers from earlier runs, the phase stepper with elapsed
 * times and progress, the facts vLLM reported next to the planner's prediction, the failure
 * card with one-click remedies, and what the last stop killed.
 */
export function ServerPanel() {
  const state = useServerStore((s) => s.state);
  const leftovers = useServerStore((s) => s.leftovers);
  const pending = useServerStore((s) => s.pending);
  const bundlePath = useServerStore((s) => s.bundlePath);
  const applied = useServerStore((s) => s.appliedRemedies);
  const reapReport = useServerStore((s) => s.reapReport);
  const live = state?.status === 'starting' || state?.status === 'preflight';
  const now = useNow(live || state?.status === 'ready');
  const actions = useServerStore.getState();
  return (
    <ServerPanelView
      state={state}
      now={now}
      leftovers={leftovers}
      busy={pending}
      bundlePath={bundlePath}
      applied={applied}
      reapReport={reapReport}
      onReap={(pids) => void actions.reap(pids)}
      onRemedy={(r) => void actions.applyRemedy(r)}
      onRestartWithFix={() => void actions.restartWithCurrent()}
      onBundle={() => void actions.bundle()}
      onShowLine={(d) => {
        useLogsStore.getState().focus(diagnosisSeq(d.message, d.line));
        useNavStore.getState().navigate('logs');
      }}
      onShowLogs={() => useNavStore.getState().navigate('logs')}
    />
  );
}

export interface ServerPanelViewProps {
  state: ServerState | null;
  now: number;
  leftovers: Leftover[];
  busy: string | null;
  bundlePath: string | null;
  applied: string[];
  reapReport: StopReport | null;
  onReap(pids: number[]): void;
  onRemedy(r: Remedy): void;
  onRestartWithFix(): void;
  onBundle(): void;
  onShowLine(d: DiagnosisDto): void;
  onShowLogs(): void;
}

export function ServerPanelView(p: ServerPanelViewProps) {
  const { state, now } = p;
  const status = state?.status ?? 'idle';
  const hasRun = state !== null && state.startedAt !== null;
  const elapsed = elapsedFor(state, now);
  const failed = (status === 'failed' || status === 'crashed') && state?.diagnosis;
  return (
    <Panel
      title="Server"
      icon={<ServerIcon />}
      testId="server-panel"
      className="server-panel"
      actions={
        <span className={`server-panel__status server-panel__status--${status}`}>
          {STATUS_LABELS[status]}
          {elapsed && ` · ${elapsed.label} ${formatElapsed(elapsed.ms)}`}
        </span>
      }
    >
      <LeftoversBanner leftovers={p.leftovers} busy={p.busy === 'reap'} onReap={p.onReap} report={p.reapReport} />
      {state?.message && (status === 'idle' || status === 'preflight') && (
        <p className="server-panel__message" data-testid="server-message">
          {state.message}
        </p>
      )}
      {failed && state?.diagnosis && (
        <FailureCard
          state={state}
          diagnosis={state.diagnosis}
          busy={p.busy}
          applied={p.applied}
          bundlePath={p.bundlePath}
          onRemedy={p.onRemedy}
          onRestartWithFix={p.onRestartWithFix}
          onBundle={p.onBundle}
          onShowLine={p.onShowLine}
        />
      )}
      {status === 'stopped' && state?.lastStop && <StopReportView report={state.lastStop} />}
      {state?.stall && status === 'starting' && (
        <div className="server-callout server-callout--warn" role="alert" data-testid="stall-warning">
          <WarnIcon />
          <span>
            <strong>{PHASE_LABELS[state.stall.phase]}</strong> has run for {formatElapsed(state.stall.seconds * 1000)}; it usually takes
            under {formatElapsed(state.stall.usual * 1000)}. vLLM may be stuck.{' '}
            <button type="button" className="link-btn" onClick={p.onShowLogs}>
              Check the log
            </button>
          </span>
        </div>
      )}
      {hasRun ? (
        <div className="server-run">
          <PhaseStepper rows={phaseRows(state, now)} ended={status === 'stopped' || status === 'crashed'} />
          <div className="server-run__facts">
            <Facts state={state} />
            <Comparison state={state} />
          </div>
        </div>
      ) : (
        <p className="server-panel__idle" data-testid="server-idle">
          No server running. <strong>Start</strong> in the header launches vLLM with the profile and GPUs chosen below; its progress, the
          facts it reports and any failure show here.
        </p>
      )}
    </Panel>
  );
}

function PhaseStepper({ rows, ended }: { rows: PhaseRow[]; ended: boolean }) {
  const cur = rows.find((r) => r.state === 'current' || r.state === 'failed' || r.state === 'interrupted');
  return (
    <div className="phases">
      <p className="phases__current" data-testid="phase-current" data-phase={cur?.name ?? ''} aria-live="polite">
        {cur ? (
          <>
            {cur.state === 'failed' ? 'Failed during ' : cur.state === 'interrupted' ? 'Stopped during ' : ''}
            <strong>{cur.label}</strong>
            {cur.percent !== null && ` · ${cur.percent}%`}
          </>
        ) : rows.at(-1)?.state === 'done' ? (
          <>
            <strong>Ready</strong>
            {ended && ' (last run)'}
          </>
        ) : (
          'Waiting to start'
        )}
      </p>
      <ol className="phases__list" aria-label="Startup phases">
        {rows.map((r) => (
          <li
            key={r.name}
            className={`phase phase--${r.state}`}
            data-testid={`phase-${r.name}`}
            data-state={r.state}
            aria-current={r.state === 'current' ? 'step' : undefined}
          >
            <span className={`phase__icon phase__icon--${r.state}`} aria-hidden="true">
              {r.state === 'done' ? <CheckIcon /> : r.state === 'failed' ? <CrossIcon /> : null}
            </span>
            <span className="phase__label">
              {r.label}
              {r.state === 'skipped' && <span className="phase__note"> (skipped)</span>}
            </span>
            <span className="phase__time">{r.ms !== null ? formatPhaseDuration(r.ms) : ''}</span>
            {r.percent !== null && (
              <span
                className="phase__bar"
                role="progressbar"
                aria-label={`${r.label} progress`}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={r.percent}
                data-testid={`phase-progress-${r.name}`}
              >
                <span className="phase__fill" style={{ width: `${Math.max(0, Math.min(100, r.percent))}%` }} />
              </span>
            )}
          </li>
        ))}
      </ol>
    </div>
  );
}

function Facts({ state }: { state: ServerState }) {
  const rows = factRows(state.facts);
  if (rows.length === 0) return <p className="server-run__none">Facts appear as vLLM reports them (version, memory, KV cache, URL).</p>;
  return (
    <dl className="facts" data-testid="server-facts">
      {rows.map((r) => (
        <div key={r.key} className="facts__row" data-testid={`fact-${r.key}`}>
          <dt>{r.label}</dt>
          <dd>{r.value}</dd>
        </div>
      ))}
    </dl>
  );
}

function Comparison({ state }: { state: ServerState }) {
  const rows = comparisonRows(state);
  // While starting, a missing number is still to come; after the run it never came.
  const missing = state.status === 'starting' || state.status === 'preflight' ? '…' : '—';
  if (!rows) return null;
  return (
    <table className="compare" data-testid="server-compare">
      <caption>
        Planner prediction vs vLLM
        {state.prediction?.verdict ? <span className="compare__verdict"> · verdict: {state.prediction.verdict}</span> : null}
      </caption>
      <thead>
        <tr>
          <th scope="col" />
          <th scope="col">Predicted</th>
          <th scope="col">vLLM reported</th>
          <th scope="col">Difference</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key} data-testid={`compare-${r.key}`}>
            <th scope="row">{r.label}</th>
            <td>{r.predicted ?? '—'}</td>
            <td>{r.reported ?? missing}</td>
            <td className={r.delta !== null && Math.abs(r.delta) > 0.1 ? 'compare__off' : undefined}>
              {r.delta !== null ? formatDelta(r.delta) : ''}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function FailureCard(p: {
  state: ServerState;
  diagnosis: DiagnosisDto;
  busy: string | null;
  applied: string[];
  bundlePath: string | null;
  onRemedy(r: Remedy): void;
  onRestartWithFix(): void;
  onBundle(): void;
  onShowLine(d: DiagnosisDto): void;
}) {
  const d = p.diagnosis;
  const numbers = diagnosisNumbers(d.numbers);
  const profileFix = p.applied.length > 0;
  const exit = p.state.signal ? `signal ${p.state.signal}` : p.state.exitCode !== null ? `exit code ${p.state.exitCode}` : null;
  return (
    <section className="failure-card" data-testid="failure-card" data-kind={d.errorKind} aria-labelledby="failure-card-title">
      <header className="failure-card__head">
        <h3 id="failure-card-title" className="failure-card__title">
          {p.state.status === 'crashed' ? 'vLLM stopped while serving' : 'vLLM failed to start'}
        </h3>
        <span className="failure-card__kind" data-testid="failure-kind">
          {errorKindLabel(d.errorKind)}
        </span>
      </header>
      <p className="failure-card__meta">
        {p.state.status === 'crashed' ? 'Died after it was ready' : `During ${PHASE_LABELS[d.phase]}`}
        {exit && ` · ${exit}`}
        {d.vllmVersion && ` · vLLM ${d.vllmVersion}`}
      </p>
      <pre className="failure-card__message" data-testid="failure-message">
        {d.message || 'vLLM exited without a recognisable error. The log has the details.'}
      </pre>
      {numbers.length > 0 && (
        <dl className="failure-card__numbers" data-testid="failure-numbers">
          {numbers.map((n) => (
            <div key={n.key}>
              <dt>{n.label}</dt>
              <dd>{n.value}</dd>
            </div>
          ))}
        </dl>
      )}
      {d.remedies.length > 0 && (
        <ul className="remedy-list" aria-label="Fixes">
          {d.remedies.map((r, i) => (
            <RemedyItem
              key={r.label}
              remedy={r}
              index={i}
              busy={p.busy !== null}
              done={p.applied.includes(r.label)}
              onRemedy={p.onRemedy}
            />
          ))}
        </ul>
      )}
      <div className="failure-card__actions">
        {profileFix && (
          <button
            type="button"
            className="btn btn--sm btn--primary"
            data-testid="restart-with-fix"
            aria-disabled={p.busy !== null ? 'true' : undefined}
            onClick={() => p.busy === null && p.onRestartWithFix()}
          >
            Restart with this fix
          </button>
        )}
        <button
          type="button"
          className="btn btn--sm"
          data-testid="save-bundle"
          aria-disabled={p.busy === 'bundle' ? 'true' : undefined}
          onClick={() => p.busy !== 'bundle' && p.onBundle()}
        >
          {p.busy === 'bundle' ? 'Saving…' : 'Save diagnostic bundle'}
        </button>
        <button type="button" className="btn btn--sm btn--ghost" data-testid="failure-log-link" onClick={() => p.onShowLine(d)}>
          Show in log
        </button>
      </div>
      {p.bundlePath && (
        <p className="failure-card__saved" data-testid="bundle-path">
          Saved: <code>{p.bundlePath}</code>
        </p>
      )}
    </section>
  );
}

function RemedyItem({
  remedy,
  index,
  busy,
  done,
  onRemedy,
}: {
  remedy: Remedy;
  index: number;
  busy: boolean;
  done: boolean;
  onRemedy(r: Remedy): void;
}) {
  const a = remedy.action;
  let control: ReactNode = null;
  if (a?.type === 'open-url') {
    control = (
      <a className="btn btn--xs" href={a.url} target="_blank" rel="noreferrer" data-testid={`remedy-${index}`}>
        Open
      </a>
    );
  } else if (a) {
    const verb = a.type === 'kill-process' ? `Stop PID ${a.pid}` : a.type === 'select-gpus' ? 'Select' : 'Apply';
    control = (
      <button
        type="button"
        className="btn btn--xs"
        data-testid={`remedy-${index}`}
        aria-disabled={busy || done ? 'true' : undefined}
        onClick={() => !busy && !done && onRemedy(remedy)}
      >
        {done ? (
          <>
            <CheckIcon /> Applied
          </>
        ) : (
          verb
        )}
      </button>
    );
  }
  return (
    <li className={`remedy${done ? ' remedy--done' : ''}`} data-testid={a ? undefined : `remedy-${index}`}>
      <span className="remedy__label">{remedy.label}</span>
      {control}
    </li>
  );
}

function StopReportView({ report }: { report: StopReport }) {
  const clean = report.survivors.length === 0;
  return (
    <section
      className={`stop-report${clean ? '' : ' stop-report--bad'}`}
      data-testid="stop-report"
      data-survivors={report.survivors.length}
    >
      <p className="stop-report__summary">{stopSummary(report)}</p>
      {report.killed.length > 0 && (
        <details className="stop-report__details">
          <summary>Processes</summary>
          <ul className="proc-list">
            {report.killed.map((k) => (
              <li key={k.pid}>
                <code>{k.pid}</code> <span className="proc-list__cmd">{k.cmd}</span> <span className="proc-list__sig">{k.signal}</span>
              </li>
            ))}
          </ul>
        </details>
      )}
      {!clean && (
        <ul className="proc-list proc-list--bad" data-testid="stop-survivors">
          {report.survivors.map((s) => (
            <li key={s.pid}>
              Still alive: <code>{s.pid}</code> <span className="proc-list__cmd">{s.cmd}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function LeftoversBanner({
  leftovers,
  busy,
  onReap,
  report,
}: {
  leftovers: Leftover[];
  busy: boolean;
  onReap(pids: number[]): void;
  report: StopReport | null;
}) {
  const [dismissed, setDismissed] = useState<string>('');
  // Stopping processes this panel did not start takes a second, deliberate click.
  const [armed, setArmed] = useState<string>('');
  const key = leftovers.map((l) => l.pid).join(',');
  if (leftovers.length === 0) {
    return report && report.killed.length > 0 ? (
      <p className="server-panel__message" data-testid="reap-report">
        {stopSummary(report)}
      </p>
    ) : null;
  }
  if (dismissed === key) return null;
  const mib = leftovers.reduce((n, l) => n + (l.gpuMiB ?? 0), 0);
  return (
    <div className="server-callout server-callout--warn leftovers" data-testid="leftovers-banner">
      <WarnIcon />
      <div className="leftovers__body">
        <strong>
          {leftovers.length === 1 ? 'Another vLLM process is' : `${leftovers.length} other vLLM processes are`} running on this machine
        </strong>
        <span className="leftovers__detail">
          Left over from an earlier run, or started outside this panel
          {mib > 0 ? `; together they hold ${leftoverMemory(mib)} of GPU memory` : ''}.
        </span>
        <ul className="proc-list">
          {leftovers.slice(0, 6).map((l) => (
            <li key={l.pid}>
              <code>{l.pid}</code> <span className="proc-list__cmd">{l.cmd}</span>
              {leftoverMemory(l.gpuMiB) && <span className="proc-list__sig">{leftoverMemory(l.gpuMiB)}</span>}
            </li>
          ))}
          {leftovers.length > 6 && <li>… and {leftovers.length - 6} more</li>}
        </ul>
      </div>
      <div className="leftovers__actions">
        {armed === key ? (
          <button
            type="button"
            className="btn btn--sm leftovers__confirm"
            data-testid="leftovers-reap-confirm"
            aria-disabled={busy ? 'true' : undefined}
            onClick={() => !busy && onReap(leftovers.map((l) => l.pid))}
          >
            {busy ? 'Stopping…' : `Yes, stop ${leftovers.length === 1 ? `PID ${leftovers[0]?.pid}` : `all ${leftovers.length}`}`}
          </button>
        ) : (
          <button type="button" className="btn btn--sm" data-testid="leftovers-reap" onClick={() => setArmed(key)}>
            Stop them…
          </button>
        )}
        <button
          type="button"
          className="btn btn--sm btn--ghost"
          onClick={() => (armed === key ? setArmed('') : setDismissed(key))}
          data-testid="leftovers-dismiss"
        >
          {armed === key ? 'Cancel' : 'Dismiss'}
        </button>
      </div>
    </div>
  );
}
