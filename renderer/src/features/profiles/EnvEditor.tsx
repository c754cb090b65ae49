import { useState } from 'react';
import type { FieldIssue } from '../../stores/profile-store';

export interface EnvEditorProps {
  env: Record<string, string>;
  issues: readonly FieldIssue[];
  onSet(name: string, value: string | undefined): void;
  onRename(from: string, to: string): void;
}

/** The profile's extra environment for vLLM (names checked by the core; values never meet a shell). */
export function EnvEditor({ env, issues, onSet, onRename }: EnvEditorProps) {
  const entries = Object.entries(env);
  const addName = () => {
    let n = 'NEW_VAR';
    for (let i = 2; n in env; i++) n = `NEW_VAR_${i}`;
    return n;
  };
  return (
    <div className="env-editor" data-testid="env-editor">
      {entries.length === 0 && <p className="muted">No extra environment variables.</p>}
      {entries.map(([name, value]) => (
        <EnvRow
          key={name}
          name={name}
          value={value}
          issues={issues.filter((i) => i.field === `env:${name}`)}
          onSet={onSet}
          onRename={onRename}
        />
      ))}
      <button type="button" className="btn btn--ghost btn--xs" onClick={() => onSet(addName(), '')} data-testid="env-add">
        Add variable
      </button>
    </div>
  );
}

function EnvRow({
  name,
  value,
  issues,
  onSet,
  onRename,
}: {
  name: string;
  value: string;
  issues: readonly FieldIssue[];
  onSet(name: string, value: string | undefined): void;
  onRename(from: string, to: string): void;
}) {
  // The name is committed on blur: renaming on every keystroke would re-key the row under the caret.
  const [draftName, setDraftName] = useState<string | null>(null);
  return (
    <div className="env-row" data-testid={`env-row-${name}`}>
      <input
        className="input env-row__name"
        aria-label="Variable name"
        spellCheck={false}
        value={draftName ?? name}
        onChange={(e) => setDraftName(e.target.value)}
        onBlur={() => {
          if (draftName !== null && draftName !== name && draftName.trim() !== '') onRename(name, draftName.trim());
          setDraftName(null);
        }}
        data-testid={`env-name-${name}`}
      />
      <span className="env-row__eq">=</span>
      <input
        className="input env-row__value"
        aria-label={`Value of ${name}`}
        spellCheck={false}
        value={value}
        onChange={(e) => onSet(name, e.target.value)}
        data-testid={`env-value-${name}`}
      />
      <button
        type="button"
        className="icon-btn"
        aria-label={`Remove ${name}`}
        onClick={() => onSet(name, undefined)}
        data-testid={`env-remove-${name}`}
      >
        ×
      </button>
      {issues.map((i) => (
        <p key={i.message} className={`issue issue--${i.severity} env-row__issue`} data-testid={`env-error-${name}`}>
          {i.message}
        </p>
      ))}
    </div>
  );
}
