import { type ReactNode, useMemo, useState } from 'react';
import type { CatalogInfo, FieldIssue, FlagSpec, FlagValue, Profile } from '../../stores/profile-store';
import { defaultText, flagMatches, formatFlagValue, groupFlags, parseFlagText } from './flag-text';

export interface FlagEditorProps {
  catalog: CatalogInfo | null;
  profile: Profile;
  issues: readonly FieldIssue[];
  onChange(name: string, value: FlagValue | undefined): void;
}

/** Rows shown per group before "Show more" (the catalog has ~200 flags; most groups are shorter). */
const PAGE = 40;

/**
 * Every flag of the runtime's catalog, grouped like `vllm serve --help`: search, "only changed",
 * type-aware inputs, the core's validation inline, reset to vLLM's default. Groups with changed
 * flags start open; the rest are collapsed, so only a few dozen rows are ever in the DOM.
 */
export function FlagEditor({ catalog, profile, issues, onChange }: FlagEditorProps) {
  const [query, setQuery] = useState('');
  const [onlyChanged, setOnlyChanged] = useState(false);
  const [toggled, setToggled] = useState<Record<string, boolean>>({});
  const [pages, setPages] = useState<Record<string, number>>({});

  const groups = useMemo(() => {
    if (!catalog) return [];
    return groupFlags(catalog.groups, catalog.flags, (f) => flagMatches(f, query) && (!onlyChanged || profile.flags[f.name] !== undefined));
  }, [catalog, query, onlyChanged, profile.flags]);

  const known = new Set(catalog?.flags.map((f) => f.name) ?? []);
  const strays = Object.keys(profile.flags).filter((n) => !known.has(n) && (!query || n.includes(query.trim().replace(/^-+/, ''))));
  const issuesByField = useMemo(() => {
    const m = new Map<string, FieldIssue[]>();
    for (const i of issues) m.set(i.field, [...(m.get(i.field) ?? []), i]);
    return m;
  }, [issues]);

  return (
    <div className="flag-editor" data-testid="flag-editor">
      <div className="flag-editor__tools">
        <input
          type="search"
          className="input flag-editor__search"
          placeholder={`Search ${catalog?.flags.length ?? ''} flags (name or help)`}
          aria-label="Search flags"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          data-testid="flag-search"
        />
        <label className="check">
          <input type="checkbox" checked={onlyChanged} onChange={(e) => setOnlyChanged(e.target.checked)} data-testid="only-changed" />
          Only changed
        </label>
        {catalog && (
          <span className="flag-editor__source" title={catalog.notes.join('\n')}>
            {catalog.source === 'help' ? 'from the installed vLLM' : 'built-in catalog'}
            {catalog.version ? ` · vLLM ${catalog.version}` : ''}
          </span>
        )}
      </div>
      {!catalog && <p className="muted">Loading the flag catalog…</p>}
      {catalog && groups.length === 0 && strays.length === 0 && (
        <p className="muted" data-testid="flag-none">
          No flag matches{query ? ` “${query}”` : ''}
          {onlyChanged ? ' among the changed ones' : ''}.
        </p>
      )}
      {strays.length > 0 && (
        <section className="flag-group flag-group--strays" data-testid="flag-group-unknown">
          <h4 className="flag-group__title">Not in this vLLM’s catalog</h4>
          {strays.map((name) => (
            <FlagRow
              key={name}
              spec={{ name, kind: 'string', group: '', help: 'This vLLM does not know this flag.' }}
              value={profile.flags[name]}
              issues={issuesByField.get(name) ?? []}
              onChange={(v) => onChange(name, v)}
            />
          ))}
        </section>
      )}
      {groups.map((g) => {
        const hasChanged = g.flags.some((f) => profile.flags[f.name] !== undefined);
        const hasError = g.flags.some((f) => issuesByField.get(f.name)?.some((i) => i.severity === 'error'));
        const open = query.trim() !== '' || onlyChanged || (toggled[g.name] ?? (hasChanged || hasError));
        const limit = pages[g.name] ?? PAGE;
        return (
          <section key={g.name} className="flag-group" data-testid={`flag-group-${g.name}`} data-open={open}>
            <button
              type="button"
              className="flag-group__title"
              aria-expanded={open}
              onClick={() => setToggled({ ...toggled, [g.name]: !open })}
              title={g.description}
            >
              <span aria-hidden="true">{open ? '▾' : '▸'}</span> {g.name}
              <span className="flag-group__count">
                {g.flags.length}
                {hasChanged ? ` · ${g.flags.filter((f) => profile.flags[f.name] !== undefined).length} set` : ''}
              </span>
              {hasError && <span className="flag-group__err">error</span>}
            </button>
            {open && (
              <div className="flag-group__rows">
                {g.flags.slice(0, limit).map((f) => (
                  <FlagRow
                    key={f.name}
                    spec={f}
                    value={profile.flags[f.name]}
                    issues={issuesByField.get(f.name) ?? []}
                    onChange={(v) => onChange(f.name, v)}
                  />
                ))}
                {g.flags.length > limit && (
                  <button type="button" className="btn btn--ghost btn--xs" onClick={() => setPages({ ...pages, [g.name]: limit + PAGE })}>
                    Show {Math.min(PAGE, g.flags.length - limit)} more of {g.flags.length - limit}
                  </button>
                )}
              </div>
            )}
          </section>
        );
      })}
    </div>
  );
}

export function FlagRow({
  spec,
  value,
  issues,
  onChange,
}: {
  spec: FlagSpec;
  value: FlagValue | undefined;
  issues: readonly FieldIssue[];
  onChange(v: FlagValue | undefined): void;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  const name = spec.name;
  const inputId = `flag-${name}`;
  const set = value !== undefined;
  const hasError = issues.some((i) => i.severity === 'error');
  const common = {
    id: inputId,
    'data-testid': `flag-input-${name}`,
    'aria-invalid': hasError || undefined,
    'aria-describedby': issues.length ? `${inputId}-issues` : undefined,
  };

  let input: ReactNode;
  if (spec.kind === 'bool' || spec.kind === 'store-true') {
    const effective = value ?? spec.default;
    input = <input type="checkbox" {...common} checked={effective === true} onChange={(e) => onChange(e.target.checked)} />;
  } else if (spec.kind === 'choice' && spec.choices) {
    const current = value === undefined ? '' : formatFlagValue(value);
    const options = spec.choices.includes(current) || current === '' ? spec.choices : [current, ...spec.choices];
    input = (
      <select className="input" {...common} value={current} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}>
        <option value="">default ({defaultText(spec)})</option>
        {options.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
    );
  } else {
    const numeric = spec.kind === 'int' || spec.kind === 'hr-int' || spec.kind === 'float';
    const listId = spec.suggestions?.length ? `${inputId}-suggestions` : undefined;
    input = (
      <>
        <input
          type="text"
          className={`input${numeric ? ' input--num' : ''}`}
          {...common}
          inputMode={numeric ? 'decimal' : undefined}
          spellCheck={false}
          autoComplete="off"
          list={listId}
          placeholder={defaultText(spec)}
          value={draft ?? formatFlagValue(value)}
          onChange={(e) => {
            setDraft(e.target.value);
            onChange(parseFlagText(spec, e.target.value));
          }}
          onBlur={() => setDraft(null)}
        />
        {listId && (
          <datalist id={listId}>
            {spec.suggestions?.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
        )}
      </>
    );
  }

  return (
    <div className={`flag-row${set ? ' flag-row--set' : ''}${hasError ? ' flag-row--error' : ''}`} data-testid={`flag-row-${name}`}>
      <label htmlFor={inputId} className="flag-row__name" title={spec.help}>
        --{name}
        {spec.deprecated && <span className="flag-row__tag">deprecated</span>}
      </label>
      <div className="flag-row__input">{input}</div>
      <div className="flag-row__reset">
        {set && (
          <button
            type="button"
            className="icon-btn"
            title={`Reset to vLLM's default (${defaultText(spec)})`}
            aria-label={`Reset ${name} to default`}
            onClick={() => {
              setDraft(null);
              onChange(undefined);
            }}
            data-testid={`flag-reset-${name}`}
          >
            ↺
          </button>
        )}
      </div>
      <p className="flag-row__help">{spec.help}</p>
      {issues.length > 0 && (
        <ul className="flag-row__issues" id={`${inputId}-issues`}>
          {issues.map((i) => (
            <li
              key={`${i.severity}${i.message}`}
              className={`issue issue--${i.severity}`}
              data-testid={i.severity === 'error' ? `flag-error-${name}` : `flag-warning-${name}`}
              role={i.severity === 'error' ? 'alert' : undefined}
            >
              {i.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
