import { useEffect } from 'react';
import { EmptyState } from '../../components/EmptyState';
import { GpuIcon } from '../../components/icons';
import { Panel } from '../../components/Panel';
import { type Gpu, type GpuSelection, type GpuSnapshot, type SystemInfo, useGpuStore } from '../../stores/gpu-store';
import { envPreviewLines, gib, headline, memoryLevel, memoryPct, memoryText, powerText, processName, stat, systemLine } from './gpu-format';
import './gpus.css';

/** The GPU cards of the Launch page: live from nvidia-smi while shown; ticks choose the GPUs vLLM gets. */
export function GpuPanel() {
  const snapshot = useGpuStore((s) => s.snapshot);
  const selection = useGpuStore((s) => s.selection);
  const system = useGpuStore((s) => s.system);
  const status = useGpuStore((s) => s.status);
  const error = useGpuStore((s) => s.error);

  useEffect(() => {
    void useGpuStore.getState().watch(true);
    return () => void useGpuStore.getState().watch(false);
  }, []);

  return (
    <GpuPanelView
      snapshot={snapshot}
      selection={selection}
      system={system}
      status={status}
      errorMessage={error?.message ?? null}
      onToggle={(i) => void useGpuStore.getState().toggle(i)}
      onRefresh={() => void useGpuStore.getState().refresh()}
    />
  );
}

export interface GpuPanelViewProps {
  snapshot: GpuSnapshot | null;
  selection: GpuSelection | null;
  system: SystemInfo | null;
  status: 'idle' | 'loading' | 'ready' | 'error';
  errorMessage: string | null;
  onToggle(index: number): void;
  onRefresh(): void;
}

/** Pure view (rendered in tests with any state). */
export function GpuPanelView(p: GpuPanelViewProps) {
  const gpus = p.snapshot?.gpus ?? [];
  const selected = new Set(p.selection?.indices ?? []);
  const actions = (
    <>
      {p.snapshot && gpus.length > 0 && (
        <span className="gpu-headline" data-testid="gpu-headline">
          {headline(p.snapshot)}
        </span>
      )}
      <button type="button" className="btn btn--ghost btn--xs" onClick={p.onRefresh} data-testid="gpu-refresh">
        Refresh
      </button>
    </>
  );
  return (
    <Panel title="GPUs" icon={<GpuIcon />} testId="gpu-panel" className="launch__gpus" actions={actions}>
      {p.snapshot === null ? (
        <EmptyState title={p.status === 'error' ? 'Could not read the GPUs' : 'Reading nvidia-smi…'} testId="gpu-panel-empty">
          {p.status === 'error'
            ? p.errorMessage
            : 'One card per NVIDIA GPU: memory, load, and which processes hold memory. Tick the GPUs vLLM should use.'}
        </EmptyState>
      ) : gpus.length === 0 ? (
        <EmptyState
          title="No NVIDIA GPU detected"
          testId="gpu-panel-empty"
          hint="vLLM needs an NVIDIA GPU. Without one, pick the “Simulator (no GPU)” runtime to try the panel."
        >
          <span data-testid="gpu-empty-reason">{p.snapshot.reason ?? 'nvidia-smi listed no GPU.'}</span>
        </EmptyState>
      ) : (
        <div className="gpu-panel">
          <ul className="gpu-cards" aria-label="GPUs">
            {gpus.map((g) => (
              <GpuCard key={g.uuid} gpu={g} selected={selected.has(g.index)} onToggle={() => p.onToggle(g.index)} />
            ))}
          </ul>
          <EnvPreview selection={p.selection} />
        </div>
      )}
      {p.snapshot && p.snapshot.warnings.length > 0 && (
        <ul className="gpu-warnings" data-testid="gpu-warnings">
          {p.snapshot.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
      {p.system && (
        <p className="gpu-system" data-testid="gpu-system">
          {systemLine(p.system)}
        </p>
      )}
    </Panel>
  );
}

function GpuCard({ gpu: g, selected, onToggle }: { gpu: Gpu; selected: boolean; onToggle(): void }) {
  const pct = memoryPct(g);
  const level = memoryLevel(pct);
  const id = `gpu-select-${g.index}`;
  return (
    <li className={`gpu-card${selected ? ' gpu-card--selected' : ''}`} data-testid={`gpu-card-${g.index}`} data-selected={selected}>
      <div className="gpu-card__head">
        <input id={id} type="checkbox" checked={selected} onChange={onToggle} data-testid={id} />
        <label htmlFor={id} className="gpu-card__name" title={g.name}>
          <span className="gpu-card__index">GPU {g.index}</span> {g.name}
        </label>
        <span
          className="gpu-card__cc"
          title={
            g.computeCapSource === 'name' ? 'Compute capability from the GPU name (this driver does not report it)' : 'Compute capability'
          }
        >
          {g.computeCap === null ? 'CC ?' : `CC ${g.computeCap}${g.computeCapSource === 'name' ? '*' : ''}`}
        </span>
      </div>
      <div className="gpu-card__mem">
        {/* Decorative: the text beside it says the same for screen readers. */}
        <div className={`gpu-bar gpu-bar--${level}`} aria-hidden="true" data-pct={pct === null ? '' : Math.round(pct)}>
          <div className="gpu-bar__fill" style={{ width: `${pct ?? 0}%` }} />
        </div>
        <span className="gpu-card__memtext" data-testid={`gpu-mem-${g.index}`}>
          {memoryText(g)}
        </span>
      </div>
      <dl className="gpu-card__stats">
        <div>
          <dt>Util</dt>
          <dd>{stat(g.utilizationPct, '%')}</dd>
        </div>
        <div>
          <dt>Temp</dt>
          <dd>{stat(g.temperatureC, ' °C')}</dd>
        </div>
        <div>
          <dt>Power</dt>
          <dd>{powerText(g)}</dd>
        </div>
        <div>
          <dt>Bus</dt>
          <dd className="gpu-mono">{g.pciBusId ?? 'n/a'}</dd>
        </div>
      </dl>
      {g.processes.length === 0 ? (
        <p className="gpu-card__procs-none">No processes on this GPU.</p>
      ) : (
        <table className="gpu-procs" data-testid={`gpu-procs-${g.index}`}>
          <caption className="gpu-visually-hidden">Processes using GPU {g.index}</caption>
          <thead>
            <tr>
              <th scope="col">PID</th>
              <th scope="col">Process</th>
              <th scope="col">GiB</th>
            </tr>
          </thead>
          <tbody>
            {g.processes.map((pr) => (
              <tr key={pr.pid}>
                <td className="gpu-mono">{pr.pid}</td>
                <td title={pr.name ?? undefined}>{processName(pr.name)}</td>
                <td className="gpu-mono">{pr.usedMiB === null ? '?' : gib(pr.usedMiB, 2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </li>
  );
}

function EnvPreview({ selection }: { selection: GpuSelection | null }) {
  const lines = envPreviewLines(selection);
  return (
    <section className="gpu-env" aria-labelledby="gpu-env-title">
      <h3 id="gpu-env-title" className="gpu-env__title">
        What vLLM gets from this selection
      </h3>
      <pre className="gpu-env__code" data-testid="gpu-env-preview">
        {lines.length > 0 ? lines.join('\n') : '# no GPU selected'}
      </pre>
      {selection && selection.issues.length > 0 && (
        <ul className="gpu-env__issues" data-testid="gpu-selection-issues">
          {selection.issues.map((i) => (
            <li key={i}>{i}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
