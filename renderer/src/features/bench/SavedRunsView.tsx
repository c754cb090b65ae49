import type { BenchSummaryDto } from '../../contract';
import type { ExportFormat } from '../../stores/bench-store';
import { fmtNum } from './bench-view';

export interface SavedRunsViewProps {
  runs: BenchSummaryDto[];
  runningId: string | null;
  currentId: string | null;
  compareIds: string[];
  onOpen(id: string): void;
  onToggleCompare(id: string): void;
  onDelete(id: string): void;
  onExport(ids: string[], format: ExportFormat): void;
}

const FORMATS: { id: ExportFormat; label: string }[] = [
  { id: 'json', label: 'JSON' },
  { id: 'csv', label: 'CSV' },
  { id: 'markdown', label: 'Markdown' },
];

export function SavedRunsView({ runs, runningId, currentId, compareIds, onOpen, onToggleCompare, onDelete, onExport }: SavedRunsViewProps) {
  if (runs.length === 0) return <p className="bench-saved__empty">Saved runs appear here after the first benchmark.</p>;
  return (
    <div className="bench-saved" data-testid="bench-saved">
      {compareIds.length > 0 && (
        <div className="bench-saved__bar">
          <span>{compareIds.length} ticked</span>
          {FORMATS.map((f) => (
            <button key={f.id} type="button" className="btn btn--xs" onClick={() => onExport(compareIds, f.id)}>
              Export {f.label}
            </button>
          ))}
        </div>
      )}
      <ul className="bench-saved__list">
        {runs.map((r) => (
          <li key={r.id} className={`bench-saved__item${r.id === currentId ? ' is-current' : ''}`} data-testid={`bench-saved-${r.id}`}>
            <label className="check" title="Tick runs to compare them on one chart">
              <input
                type="checkbox"
                aria-label={`Compare ${r.name}`}
                checked={compareIds.includes(r.id)}
                onChange={() => onToggleCompare(r.id)}
              />
            </label>
            <button type="button" className="bench-saved__open" onClick={() => onOpen(r.id)}>
              <span className="bench-saved__name">{r.name}</span>
              <span className="bench-saved__meta">
                {new Date(r.createdAt).toLocaleString()} · {r.id === runningId ? 'running' : r.status}
                {r.gpu ? ` · ${r.gpu}` : ''} · best {fmtNum(r.bestOutputTps, 0)} tok/s
              </span>
            </button>
            <span className="bench-saved__actions">
              {FORMATS.map((f) => (
                <button
                  key={f.id}
                  type="button"
                  className="btn btn--ghost btn--xs"
                  title={`Download as ${f.label}`}
                  onClick={() => onExport([r.id], f.id)}
                >
                  {f.label}
                </button>
              ))}
              <button
                type="button"
                className="btn btn--ghost btn--xs"
                disabled={r.id === runningId}
                title={r.id === runningId ? 'Stop it first' : 'Delete this saved run'}
                onClick={() => onDelete(r.id)}
              >
                Delete
              </button>
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
