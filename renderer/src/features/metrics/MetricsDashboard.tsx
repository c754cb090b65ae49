import { type FormEvent, memo, useEffect, useMemo, useState } from 'react';
import { EmptyState } from '../../components/EmptyState';
import { MetricsIcon } from '../../components/icons';
import { useNow } from '../../components/use-now';
import { useGpuStore } from '../../stores/gpu-store';
import {
  type MetricsAnnotation,
  type MetricsState,
  type MetricsView,
  type RawMetrics,
  useMetricsStore,
  WINDOWS,
  type WindowSeconds,
} from '../../stores/metrics-store';
import { downloadBlob, exportName } from './export-file';
import { ANNOTATION_COLORS, MetricsChart } from './MetricsChart';
import { type ChartDef, fmtClock, gpuCharts, statusLine, type TileModel, tiles, VLLM_CHARTS } from './metrics-format';
import { chartRows, gpusInRows, inWindow, toCsv } from './metrics-rows';
import './metrics.css';

/** The Metrics page body: status, attach form, headline tiles, the charts, events and the raw view. */
export function MetricsDashboard() {
  const state = useMetricsStore((s) => s.state);
  const live = useMetricsStore((s) => s.live);
  const frozen = useMetricsStore((s) => s.frozen);
  const windowS = useMetricsStore((s) => s.windowS);
  const attaching = useMetricsStore((s) => s.attaching);
  const error = useMetricsStore((s) => s.error);
  const selection = useGpuStore((s) => s.selection?.indices ?? null);
  return (
    <MetricsDashboardView
      state={state}
      view={frozen ?? live}
      paused={frozen !== null}
      windowS={windowS}
      selection={selection}
      attaching={attaching}
      attachError={error?.message ?? null}
    />
  );
}

export interface MetricsDashboardViewProps {
  state: MetricsState | null;
  /** The live data, or the copy frozen by Pause. */
  view: MetricsView;
  paused: boolean;
  windowS: WindowSeconds;
  /** GPUs ticked for the launch (null: not loaded; then every GPU on the timeline is drawn). */
  selection: number[] | null;
  attaching: boolean;
  attachError: string | null;
}

/** Pure view (rendered in tests with any state); actions go to the metrics store. */
export function MetricsDashboardView({ state, view, paused, windowS, selection, attaching, attachError }: MetricsDashboardViewProps) {
  const hasData = view.points.length > 0;
  return (
    <div className="metrics" data-testid="metrics-dashboard" data-paused={paused}>
      <MetricsToolbar windowS={windowS} paused={paused} view={view} hasData={hasData} />
      <StatusLine state={state} />
      <AttachForm state={state} attaching={attaching} error={attachError} />
      {!hasData ? (
        <EmptyState
          icon={<MetricsIcon />}
          title="No metrics yet"
          testId="metrics-empty"
          items={[
            'Prompt and generation tokens/s, requests running and waiting',
            'KV cache usage and prefix-cache hit rate',
            'Time to first token and inter-token latency percentiles',
            'GPU utilization, memory, power and temperature on the same timeline',
          ]}
          hint="Charts fill in once a server is ready, or when you attach to one already running (above)."
        >
          Live serving statistics and GPU telemetry, charted on one time axis.
        </EmptyState>
      ) : (
        <>
          <Tiles models={tiles(view, windowS, state)} />
          <Charts view={view} windowS={windowS} selection={selection} />
          <p className="metrics__note" data-testid="metrics-quantile-note">
            Percentiles are interpolated inside vLLM’s Prometheus histogram buckets (like PromQL’s histogram_quantile), so they are only as
            precise as the bucket bounds (e.g. anything between 100 ms and 250 ms TTFT is interpolated). Chart lines use the last 10 s
            (rates the last 5 s); the tiles use the selected window. “≥” marks a value beyond the largest bucket.
          </p>
          <Events annotations={view.annotations} />
        </>
      )}
      {state?.status === 'up' && <RawView />}
    </div>
  );
}

function MetricsToolbar({
  windowS,
  paused,
  view,
  hasData,
}: {
  windowS: WindowSeconds;
  paused: boolean;
  view: MetricsView;
  hasData: boolean;
}) {
  const exportCsv = () => {
    const rows = inWindow(view.points, windowS);
    const from = (rows[rows.length - 1]?.t ?? 0) - windowS * 1000;
    const csv = toCsv(
      rows,
      view.annotations.filter((a) => a.t >= from),
      view.gpus,
    );
    downloadBlob(new Blob([csv], { type: 'text/csv' }), `${exportName('vllm-metrics')}.csv`);
  };
  return (
    <div className="metrics__toolbar" role="toolbar" aria-label="Metrics view">
      <fieldset className="btn-group metrics__windows" aria-label="Time window">
        {WINDOWS.map((w) => (
          <button
            key={w.seconds}
            type="button"
            className={`btn btn--sm${w.seconds === windowS ? ' btn--primary' : ''}`}
            aria-pressed={w.seconds === windowS}
            onClick={() => useMetricsStore.getState().setWindow(w.seconds)}
            data-testid={`metrics-window-${w.minutes}`}
          >
            {w.minutes} min
          </button>
        ))}
      </fieldset>
      <button
        type="button"
        className="btn btn--sm"
        aria-pressed={paused}
        onClick={() => useMetricsStore.getState().togglePause()}
        data-testid="metrics-pause"
        title={paused ? 'Show live data again (nothing was missed while paused)' : 'Freeze the charts to look at them; scraping continues'}
      >
        {paused ? 'Resume' : 'Pause'}
      </button>
      <button
        type="button"
        className="btn btn--sm"
        onClick={exportCsv}
        disabled={!hasData}
        data-testid="metrics-export-csv"
        title="Every series of the window as CSV"
      >
        Export CSV
      </button>
    </div>
  );
}

function StatusLine({ state }: { state: MetricsState | null }) {
  const backingOff = state?.nextAttemptAt !== null && state?.nextAttemptAt !== undefined;
  const now = useNow(backingOff);
  const line = statusLine(state, now);
  return (
    <div className="metrics__status">
      <p
        className={`metrics__status-line metrics__status-line--${line.level}`}
        data-testid="metrics-status"
        data-status={state?.status ?? 'idle'}
      >
        {line.text}
      </p>
      {state?.tips.map((t) => (
        <p key={t.label} className="metrics__tip" data-testid="metrics-tip">
          Tip: {t.label}.
        </p>
      ))}
    </div>
  );
}

function AttachForm({ state, attaching, error }: { state: MetricsState | null; attaching: boolean; error: string | null }) {
  const [url, setUrl] = useState('http://127.0.0.1:8000');
  const [apiKey, setApiKey] = useState('');
  const attached = state?.target?.source === 'attached';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void useMetricsStore.getState().attach(url.trim(), apiKey.trim() || undefined);
  };
  if (attached) {
    return (
      <div className="metrics__attach">
        <span>
          Attached to <code>{state?.target?.url}</code>
          {state?.target?.hasApiKey ? ' (with API key)' : ''}
        </span>
        <button type="button" className="btn btn--sm" onClick={() => void useMetricsStore.getState().detach()} data-testid="metrics-detach">
          Detach
        </button>
      </div>
    );
  }
  return (
    <form className="metrics__attach" onSubmit={submit} aria-label="Attach to a running vLLM server">
      <label className="metrics__attach-field">
        <span>Attach to a server the panel did not start</span>
        <input
          type="url"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          placeholder="http://host:8000"
          required
          spellCheck={false}
          data-testid="metrics-attach-url"
        />
      </label>
      <label className="metrics__attach-field metrics__attach-field--key">
        <span>API key (optional)</span>
        <input
          type="password"
          value={apiKey}
          onChange={(e) => setApiKey(e.target.value)}
          autoComplete="off"
          data-testid="metrics-attach-key"
        />
      </label>
      <button type="submit" className="btn btn--sm btn--primary" disabled={attaching} data-testid="metrics-attach">
        {attaching ? 'Attaching…' : 'Attach'}
      </button>
      {error && (
        <p className="metrics__attach-error" role="alert" data-testid="metrics-attach-error">
          {error}
        </p>
      )}
    </form>
  );
}

const Tiles = memo(
  function Tiles({ models }: { models: TileModel[] }) {
    return (
      <ul className="metrics__tiles" aria-label="Current values">
        {models.map((m) => (
          <li key={m.name} className="metrics-tile" data-testid={`metrics-tile-${m.name}`} title={m.title}>
            <span className="metrics-tile__label">{m.label}</span>
            <span className="metrics-tile__value" data-testid={`metrics-tile-${m.name}-value`}>
              {m.value}
            </span>
            <span className="metrics-tile__sub">{m.sub}</span>
          </li>
        ))}
      </ul>
    );
  },
  (a, b) => a.models.every((m, i) => m.value === b.models[i]?.value && m.sub === b.models[i]?.sub),
);

function Charts({ view, windowS, selection }: { view: MetricsView; windowS: number; selection: number[] | null }) {
  const present = useMemo(() => gpusInRows(view.points, null), [view.points]);
  // The selected GPUs when the selection names any of those on the timeline, else all of them.
  const gpuIdx = useMemo(() => {
    const sel = selection ? present.filter((i) => selection.includes(i)) : [];
    return sel.length > 0 ? sel : present;
  }, [present, selection]);
  const gpuKey = gpuIdx.join(',');
  // biome-ignore lint/correctness/useExhaustiveDependencies: gpuKey stands for gpuIdx (a new array each time)
  const rows = useMemo(() => chartRows(view.points, windowS, gpuIdx), [view.points, windowS, gpuKey]);
  const last = view.points[view.points.length - 1]?.t ?? 0;
  const domain = useMemo<[number, number]>(() => [last - windowS * 1000, last], [last, windowS]);
  const from = domain[0];
  const annotations = useMemo(() => view.annotations.filter((a) => a.t >= from), [view.annotations, from]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: gpuKey stands for gpuIdx
  const defs: ChartDef[] = useMemo(() => [...VLLM_CHARTS, ...gpuCharts(gpuIdx)], [gpuKey]);
  return (
    <div className="metrics__charts">
      {defs.map((d, i) => (
        <MetricsChart key={d.name} def={d} rows={rows} domain={domain} annotations={annotations} labelAnnotations={i === 0} />
      ))}
      {gpuIdx.length === 0 && (
        <p className="metrics__note" data-testid="metrics-no-gpu">
          No GPU telemetry on this timeline (no nvidia-smi here, or the attached server runs on another machine).
        </p>
      )}
    </div>
  );
}

function Events({ annotations }: { annotations: MetricsAnnotation[] }) {
  if (annotations.length === 0) return null;
  const recent = annotations.slice(-20).reverse();
  return (
    <section className="metrics__events" aria-label="Server events" data-testid="metrics-annotations">
      <h3 className="metrics__events-title">Server events</h3>
      <ul>
        {recent.map((a) => (
          <li key={`${a.t}-${a.kind}-${a.text}`}>
            <span className="metrics__event-dot" style={{ background: ANNOTATION_COLORS[a.kind] }} />
            <time>{fmtClock(a.t)}</time> {a.text}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Every family of the last scrape (unknown ones included), on demand. */
function RawView() {
  const [open, setOpen] = useState(false);
  const [filter, setFilter] = useState('');
  const [raw, setRaw] = useState<RawMetrics | null>(null);
  useEffect(() => {
    if (!open) return;
    let cancelled = false;
    const t = setTimeout(async () => {
      const r = await useMetricsStore.getState().loadRaw(filter);
      if (!cancelled && r) setRaw(r);
    }, 150);
    return () => {
      cancelled = true;
      clearTimeout(t);
    };
  }, [open, filter]);
  return (
    <details className="metrics__raw" onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)} data-testid="metrics-raw">
      <summary>Raw /metrics (last scrape)</summary>
      {open && (
        <div className="metrics__raw-body">
          <input
            type="search"
            placeholder="filter families, e.g. vllm:cache"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            data-testid="metrics-raw-filter"
          />
          {raw && (
            <>
              <p className="metrics__note">
                {raw.families.length} families{raw.omitted > 0 ? `, ${raw.omitted} samples not shown` : ''}
                {raw.issues.length > 0 ? ` · ${raw.issues.length} lines could not be parsed` : ''} · not charted:{' '}
                {raw.unknownFamilies.length}
              </p>
              <pre className="metrics__raw-text">
                {raw.families
                  .map((f) =>
                    [
                      `# ${f.type} ${f.name}${f.help ? ` — ${f.help}` : ''}`,
                      ...f.samples.map((s) => `${s.name}${labelText(s.labels)} ${s.value}`),
                    ].join('\n'),
                  )
                  .join('\n')}
              </pre>
            </>
          )}
        </div>
      )}
    </details>
  );
}

function labelText(l: Record<string, string>): string {
  const e = Object.entries(l);
  return e.length === 0 ? '' : `{${e.map(([k, v]) => `${k}="${v}"`).join(',')}}`;
}
