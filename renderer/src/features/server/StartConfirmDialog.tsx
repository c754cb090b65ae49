import { useEffect, useId, useRef } from 'react';
import type { Remedy } from '../../contract';
import { type ConfirmKind, canStartAnyway, type PendingConfirm, useServerStore } from '../../stores/server-store';
import { CheckIcon } from './server-icons';

const TITLES: Record<ConfirmKind, string> = {
  planner_predicts_failure: 'This launch is predicted to fail',
  gpu_in_use: 'The selected GPUs are already in use',
  port_in_use: 'The port is already in use',
};

/** Modal shown when server:start refuses with an error the user can fix or override. */
export function StartConfirmDialog() {
  const confirm = useServerStore((s) => s.confirm);
  const pending = useServerStore((s) => s.pending);
  if (!confirm) return null;
  return (
    <StartConfirmDialogView
      confirm={confirm}
      busy={pending !== null}
      onRemedy={(r) => void useServerStore.getState().applyRemedy(r)}
      onStartAgain={() => void useServerStore.getState().start()}
      onStartAnyway={() => void useServerStore.getState().startAnyway()}
      onCancel={() => useServerStore.getState().dismissConfirm()}
    />
  );
}

export interface StartConfirmDialogViewProps {
  confirm: PendingConfirm;
  busy: boolean;
  onRemedy(r: Remedy): void;
  onStartAgain(): void;
  onStartAnyway(): void;
  onCancel(): void;
}

export function StartConfirmDialogView({ confirm, busy, onRemedy, onStartAgain, onStartAnyway, onCancel }: StartConfirmDialogViewProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descId = useId();
  const { kind, error, applied } = confirm;

  useEffect(() => {
    const d = ref.current;
    // A modal <dialog> traps focus and closes on Escape (its `cancel` event) by itself.
    if (d && !d.open && typeof d.showModal === 'function') d.showModal();
    return () => {
      if (d?.open) d.close();
    };
  }, []);

  return (
    <dialog
      ref={ref}
      className="confirm-dialog"
      aria-labelledby={titleId}
      aria-describedby={descId}
      data-testid="confirm-dialog"
      data-kind={kind}
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <h2 id={titleId} className="confirm-dialog__title">
        {TITLES[kind]}
      </h2>
      <p id={descId} className="confirm-dialog__message" data-testid="confirm-message">
        {error.message}
      </p>
      {error.remedies.length > 0 && (
        <div className="confirm-dialog__remedies">
          <h3 className="confirm-dialog__subtitle">Fixes</h3>
          <ul className="remedy-list">
            {error.remedies.map((r, i) => {
              const done = applied.includes(r.label);
              return (
                <li key={r.label} className="remedy">
                  <span className="remedy__label">{r.label}</span>
                  {r.action && r.action.type === 'open-url' ? (
                    <a className="btn btn--xs" href={r.action.url} target="_blank" rel="noreferrer" data-testid={`confirm-remedy-${i}`}>
                      Open
                    </a>
                  ) : r.action ? (
                    <button
                      type="button"
                      className="btn btn--xs"
                      data-testid={`confirm-remedy-${i}`}
                      aria-disabled={busy || done ? 'true' : undefined}
                      onClick={() => {
                        if (!busy && !done) onRemedy(r);
                      }}
                    >
                      {done ? (
                        <>
                          <CheckIcon /> Applied
                        </>
                      ) : (
                        'Apply'
                      )}
                    </button>
                  ) : null}
                </li>
              );
            })}
          </ul>
        </div>
      )}
      {applied.length > 0 && (
        <p className="confirm-dialog__hint" data-testid="confirm-applied">
          Applied to the profile: {applied.join('; ')}. Start again to check the new settings.
        </p>
      )}
      <div className="confirm-dialog__actions">
        <button type="button" className="btn btn--sm btn--ghost" onClick={onCancel} data-testid="confirm-cancel">
          Cancel
        </button>
        {canStartAnyway(kind) && (
          <button
            type="button"
            className="btn btn--sm confirm-dialog__anyway"
            aria-disabled={busy ? 'true' : undefined}
            onClick={() => !busy && onStartAnyway()}
            data-testid="confirm-start-anyway"
          >
            Start anyway
          </button>
        )}
        {applied.length > 0 && (
          <button
            type="button"
            className="btn btn--sm btn--primary"
            aria-disabled={busy ? 'true' : undefined}
            onClick={() => !busy && onStartAgain()}
            data-testid="confirm-start-again"
            // biome-ignore lint/a11y/noAutofocus: the natural next step after applying a fix in a modal
            autoFocus
          >
            Start with the fix
          </button>
        )}
      </div>
    </dialog>
  );
}
