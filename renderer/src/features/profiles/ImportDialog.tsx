import { useEffect, useRef, useState } from 'react';
import type { ImportResult, Profile } from '../../stores/profile-store';
import { uniqueProfileName } from '../../stores/profile-store';
import { profileSummary } from './ProfilePicker';

export interface ImportDialogProps {
  result: ImportResult | null;
  initialText: string;
  profiles: readonly Profile[];
  onRead(text: string, caseChoice?: string): void;
  onSave(name: string, useGpus: boolean): void;
  onClose(): void;
}

/**
 * Paste a `vllm serve …` line or a whole launcher script; the core reads it (never runs it) and
 * says what it understood and what not, before anything is saved.
 */
export function ImportDialog(p: ImportDialogProps) {
  const [text, setText] = useState(p.initialText);
  const [name, setName] = useState('');
  const [useGpus, setUseGpus] = useState(true);
  const ref = useRef<HTMLDialogElement>(null);
  const r = p.result;

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open && typeof d.showModal === 'function') d.showModal();
  }, []);
  useEffect(() => {
    if (r) setName(uniqueProfileName(r.profile.name, p.profiles));
  }, [r, p.profiles]);

  return (
    <dialog ref={ref} className="dialog import-dialog" aria-labelledby="import-title" onCancel={p.onClose} data-testid="import-dialog">
      <h3 id="import-title" className="dialog__title">
        Import a command or launcher script
      </h3>
      <p className="muted">
        Paste a <code>vllm serve …</code> command line (or <code>python -m vllm.entrypoints.openai.api_server …</code>) or a whole bash
        launcher. It is only read, never run.
      </p>
      <textarea
        className="input import-dialog__text"
        rows={8}
        spellCheck={false}
        value={text}
        onChange={(e) => setText(e.target.value)}
        placeholder="vllm serve nvidia/NVIDIA-Nemotron-Nano-12B-v2 --trust-remote-code --max-num-seqs 64 …"
        data-testid="import-text"
      />
      <div className="dialog__actions">
        <button
          type="button"
          className="btn btn--sm"
          disabled={text.trim() === ''}
          onClick={() => p.onRead(text)}
          data-testid="import-read"
        >
          Read
        </button>
      </div>
      {r && (
        <div className="import-dialog__result" data-testid="import-result">
          <p>
            <strong>{r.profile.model || '(no model)'}</strong> ·{' '}
            {profileSummary(r.profile) || `${Object.keys(r.profile.flags).length} flags`} · {Object.keys(r.profile.env).length} env vars
            {r.gpus ? ` · GPUs ${r.gpus.join(',')}` : ''}
            {r.exposeOnNetwork ? ' · exposed on the network' : ''}
          </p>
          {r.caseChoices.length > 1 && (
            <label className="check">
              Profile branch of the script:{' '}
              <select
                className="input"
                value={r.caseChosen ?? ''}
                onChange={(e) => p.onRead(text, e.target.value)}
                data-testid="import-case"
              >
                {r.caseChoices.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            </label>
          )}
          {r.unknown.length > 0 && (
            <>
              <h4 className="import-dialog__h">Not understood (kept in extra arguments or notes)</h4>
              <ul className="import-dialog__list" data-testid="import-unknown">
                {r.unknown.map((u) => (
                  <li key={u} className="issue issue--warning">
                    <code>{u}</code>
                  </li>
                ))}
              </ul>
            </>
          )}
          {r.warnings.length > 0 && (
            <>
              <h4 className="import-dialog__h">Changed on the way in</h4>
              <ul className="import-dialog__list" data-testid="import-warnings">
                {r.warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            </>
          )}
          <div className="dialog__actions">
            <input
              className="input"
              aria-label="Profile name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              data-testid="import-name"
            />
            {r.gpus && (
              <label className="check">
                <input type="checkbox" checked={useGpus} onChange={(e) => setUseGpus(e.target.checked)} data-testid="import-use-gpus" />
                Select GPUs {r.gpus.join(',')}
              </label>
            )}
            <button
              type="button"
              className="btn btn--primary btn--sm"
              disabled={name.trim() === ''}
              onClick={() => p.onSave(name.trim(), useGpus)}
              data-testid="import-save"
            >
              Save as profile
            </button>
          </div>
        </div>
      )}
      <div className="dialog__actions dialog__actions--end">
        <button type="button" className="btn btn--ghost btn--sm" onClick={p.onClose} data-testid="import-close">
          Close
        </button>
      </div>
    </dialog>
  );
}
