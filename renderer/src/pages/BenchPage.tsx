import { useEffect } from 'react';
import { EmptyState } from '../components/EmptyState';
import { BenchIcon } from '../components/icons';
import { Panel } from '../components/Panel';
import { BenchFormView } from '../features/bench/BenchFormView';
import { BenchProgressView, BenchResultsView } from '../features/bench/BenchResultsView';
import { SavedRunsView } from '../features/bench/SavedRunsView';
import '../features/bench/bench.css';
import { type ExportFormat, useBenchStore } from '../stores/bench-store';
import { useProfileStore } from '../stores/profile-store';
import { Page } from './Page';

/** Saves exported text through the browser (works in Electron and the web shell alike). */
function download(text: string, mime: string, filename: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function BenchPage() {
  const s = useBenchStore();
  const profiles = useProfileStore((p) => p.profiles);
  const profileStatus = useProfileStore((p) => p.status);
  useEffect(() => {
    if (profileStatus === 'idle') void useProfileStore.getState().load();
  }, [profileStatus]);

  const running = s.runningId !== null;
  const exportRuns = async (ids: string[], format: ExportFormat) => {
    const out = await s.exportRuns(ids, format);
    if (out) download(out.text, out.mime, out.filename);
  };
  const shown = s.compared.length > 1 ? s.compared : s.current ? [s.current] : [];

  const actions = (
    <div className="btn-group">
      <button
        type="button"
        className="btn btn--primary"
        data-testid="bench-run"
        disabled={running || s.pending !== null}
        title={s.form.target === 'sweep' ? 'Restart the server with each profile and measure' : 'Measure the server at the URL'}
        onClick={() => void s.start()}
      >
        {s.pending === 'start' ? 'Starting…' : s.form.target === 'sweep' ? 'Run sweep' : 'Run'}
      </button>
      <button
        type="button"
        className="btn"
        data-testid="bench-stop"
        disabled={!running || s.pending === 'stop'}
        title="Stop now; what finished is kept"
        onClick={() => void s.stop()}
      >
        {s.pending === 'stop' ? 'Stopping…' : 'Stop'}
      </button>
    </div>
  );

  return (
    <Page id="bench" title="Benchmark" subtitle="Measure which profile serves your workload best on your GPUs." actions={actions}>
      {s.error && (
        <div className="bench-error" role="alert" data-testid="bench-error">
          <span>
            {s.error.message}
            {s.error.remedies.length > 0 && ` — ${s.error.remedies.map((r) => r.label).join('; ')}`}
          </span>
          <button type="button" className="btn btn--ghost btn--xs" onClick={s.clearError}>
            Dismiss
          </button>
        </div>
      )}
      <div className="bench">
        <div className="bench__side">
          <Panel title="Workload" testId="bench-form">
            <BenchFormView
              form={s.form}
              errors={s.formErrors}
              profiles={profiles.map((p) => ({ id: p.id, name: p.name, description: p.description }))}
              disabled={running}
              onChange={s.setForm}
            />
          </Panel>
          <Panel title="Saved runs">
            <SavedRunsView
              runs={s.runs}
              runningId={s.runningId}
              currentId={s.current?.id ?? null}
              compareIds={s.compareIds}
              onOpen={(id) => void s.open(id)}
              onToggleCompare={(id) => void s.toggleCompare(id)}
              onDelete={(id) => void s.remove(id)}
              onExport={(ids, f) => void exportRuns(ids, f)}
            />
          </Panel>
        </div>
        <div className="bench__main">
          {running && s.progress && <BenchProgressView progress={s.progress} result={s.current} />}
          {shown.length > 0 ? (
            <BenchResultsView results={shown} running={running} />
          ) : (
            !running && (
              <EmptyState
                icon={<BenchIcon />}
                title="No benchmark on screen"
                testId="bench-empty"
                items={[
                  'Closed loop (fixed concurrency) or open loop (Poisson request rate)',
                  'Sweeps restart the server with each profile and run the same workload',
                  'Throughput against latency per profile, with the winner per objective',
                  'Saved runs to compare, exported as JSON, CSV or a Markdown report',
                ]}
                hint="Set the workload on the left and press Run."
              >
                Tokens/s, time to first token and inter-token latency, profile against profile.
              </EmptyState>
            )
          )}
        </div>
      </div>
    </Page>
  );
}
