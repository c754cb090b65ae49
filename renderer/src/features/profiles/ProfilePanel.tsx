import { useEffect, useState } from 'react';
import { ProfileIcon } from '../../components/icons';
import { Panel } from '../../components/Panel';
import type { UserError } from '../../contract';
import {
  type BuiltCommand,
  type CatalogInfo,
  type FlagValue,
  type ImportResult,
  isDirty,
  issuesFor,
  type Profile,
  type ProfileChange,
  uniqueProfileName,
  useProfileStore,
} from '../../stores/profile-store';
import { CommandPreview } from './CommandPreview';
import { EnvEditor } from './EnvEditor';
import { FlagEditor } from './FlagEditor';
import { formatFlagValue } from './flag-text';
import { ImportDialog } from './ImportDialog';
import { ProfilePicker } from './ProfilePicker';
import './profiles.css';

/** Offers a text file to the user (web: a download; Electron: its download handling). */
function download(text: string, filename: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/x-shellscript' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The Launch page's profile section, connected to the profile store. */
export function ProfilePanel() {
  const s = useProfileStore();
  const [importOpen, setImportOpen] = useState(false);

  useEffect(() => {
    if (useProfileStore.getState().status === 'idle') void useProfileStore.getState().load();
  }, []);
  useEffect(() => {
    if (s.base && !s.base.builtin) void useProfileStore.getState().loadDiff();
  }, [s.base]);

  return (
    <ProfilePanelView
      profiles={s.profiles}
      status={s.status}
      error={s.error}
      selectedId={s.selectedId}
      base={s.base}
      current={s.current}
      catalog={s.catalog}
      command={s.command}
      commandError={s.commandError}
      building={s.building}
      runtimeKind={s.runtimeChecked ? (s.runtime?.kind ?? 'none') : 'pending'}
      exposeOnNetwork={s.exposeOnNetwork}
      apiKey={s.apiKey}
      diff={s.diff}
      importOpen={importOpen}
      importResult={s.importResult}
      importText={s.importText}
      actions={{
        select: s.select,
        setFlag: s.setFlag,
        setModel: s.setModel,
        setEnv: s.setEnv,
        renameEnv: s.renameEnv,
        setExtraArgs: s.setExtraArgs,
        setExpose: s.setExpose,
        setApiKey: s.setApiKey,
        save: () => void s.save(),
        revert: s.revert,
        create: () => void s.create(uniqueProfileName('My profile', s.profiles), s.selectedId),
        duplicate: (id) => void s.duplicate(id),
        rename: (id, name) => void s.rename(id, name),
        remove: (id) => void s.remove(id),
        exportScript: async () => {
          const r = await useProfileStore.getState().exportScript();
          if (r) download(r.text, r.filename);
        },
        openImport: () => setImportOpen(true),
        closeImport: () => {
          setImportOpen(false);
          s.clearImport();
        },
        readImport: (text, choice) => void s.readImport(text, choice),
        saveImport: async (name, useGpus) => {
          if (await useProfileStore.getState().saveImport(name, useGpus)) setImportOpen(false);
        },
      }}
    />
  );
}

export interface ProfilePanelViewProps {
  profiles: Profile[];
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: UserError | null;
  selectedId: string;
  base: Profile | null;
  current: Profile;
  catalog: CatalogInfo | null;
  command: BuiltCommand | null;
  commandError: UserError | null;
  building: boolean;
  /** The detected runtime's kind, or 'pending' while detection runs (tests wait on it). */
  runtimeKind?: string;
  exposeOnNetwork: boolean;
  apiKey: string;
  diff: { against: string; changes: ProfileChange[] } | null;
  importOpen: boolean;
  importResult: ImportResult | null;
  importText: string;
  actions: {
    select(id: string): void;
    setFlag(name: string, value: FlagValue | undefined): void;
    setModel(model: string): void;
    setEnv(name: string, value: string | undefined): void;
    renameEnv(from: string, to: string): void;
    setExtraArgs(args: string[]): void;
    setExpose(on: boolean): void;
    setApiKey(key: string): void;
    save(): void;
    revert(): void;
    create(): void;
    duplicate(id: string): void;
    rename(id: string, name: string): void;
    remove(id: string): void;
    exportScript(): void;
    openImport(): void;
    closeImport(): void;
    readImport(text: string, caseChoice?: string): void;
    saveImport(name: string, useGpus: boolean): void;
  };
}

const changeText = (v: unknown) => (v === undefined ? '—' : Array.isArray(v) ? v.join(' ') : formatFlagValue(v as FlagValue));

/** Pure view (rendered in tests with any state). */
export function ProfilePanelView(p: ProfilePanelViewProps) {
  const a = p.actions;
  const dirty = isDirty(p);
  const modelIssues = issuesFor(p.command, 'model');
  const envIssues = p.command?.issues.filter((i) => i.field.startsWith('env:')) ?? [];
  const actions = (
    <div className="btn-group">
      <button type="button" className="btn btn--ghost btn--xs" onClick={a.create} data-testid="profile-new">
        New
      </button>
      <button type="button" className="btn btn--ghost btn--xs" onClick={a.openImport} data-testid="import-command">
        Import…
      </button>
      <button type="button" className="btn btn--ghost btn--xs" onClick={a.exportScript} disabled={!p.base} data-testid="export-script">
        Export script
      </button>
    </div>
  );
  return (
    <Panel title="Profile and flags" icon={<ProfileIcon />} testId="profile-panel" className="launch__profile" actions={actions}>
      {p.status === 'error' && (
        <p className="issue issue--error" data-testid="profile-load-error">
          Could not load the profiles: {p.error?.message}
        </p>
      )}
      <ProfilePicker
        profiles={p.profiles}
        selectedId={p.selectedId}
        onSelect={a.select}
        onDuplicate={a.duplicate}
        onRename={a.rename}
        onDelete={a.remove}
      />
      {p.base && (
        <div className="profile-editor" data-testid="profile-editor" data-profile={p.base.id}>
          <div className="profile-editor__bar">
            <span className="profile-editor__title">
              Editing <strong>{p.base.name}</strong>
              {p.base.builtin && <span className="muted"> (built-in: saving makes a copy)</span>}
            </span>
            {dirty && (
              <span className="btn-group" data-testid="profile-dirty">
                <span className="profile-editor__dirty">Unsaved changes</span>
                <button type="button" className="btn btn--ghost btn--xs" onClick={a.revert} data-testid="profile-revert">
                  Revert
                </button>
                <button type="button" className="btn btn--primary btn--xs" onClick={a.save} data-testid="profile-save">
                  {p.base.builtin ? 'Save as new profile' : 'Save'}
                </button>
              </span>
            )}
          </div>
          {p.diff && p.diff.changes.length > 0 && (
            <details className="profile-diff" data-testid="profile-diff">
              <summary>
                {p.diff.changes.length} change{p.diff.changes.length === 1 ? '' : 's'} from{' '}
                {p.profiles.find((x) => x.id === p.diff?.against)?.name ?? p.diff.against}
              </summary>
              <ul>
                {p.diff.changes.map((c) => (
                  <li key={`${c.kind}:${c.name}`}>
                    <code>{c.kind === 'env' ? `env ${c.name}` : c.kind === 'flag' ? `--${c.name}` : c.name}</code> {changeText(c.from)} →{' '}
                    {changeText(c.to)}
                  </li>
                ))}
              </ul>
            </details>
          )}
          {p.current.notes && (
            <p className="profile-notes" data-testid="profile-notes">
              {p.current.notes}
            </p>
          )}

          <div className="flag-row flag-row--model">
            <label htmlFor="flag-model" className="flag-row__name">
              model
            </label>
            <div className="flag-row__input">
              <input
                id="flag-model"
                className="input"
                spellCheck={false}
                value={p.current.model}
                onChange={(e) => a.setModel(e.target.value)}
                aria-invalid={modelIssues.some((i) => i.severity === 'error') || undefined}
                data-testid="flag-input-model"
              />
            </div>
            <div className="flag-row__reset" />
            <p className="flag-row__help">Hugging Face model id (org/name) or a local path: the positional argument of vllm serve.</p>
            {modelIssues.length > 0 && (
              <ul className="flag-row__issues">
                {modelIssues.map((i) => (
                  <li key={i.message} className={`issue issue--${i.severity}`} data-testid="flag-error-model" role="alert">
                    {i.message}
                  </li>
                ))}
              </ul>
            )}
          </div>

          <FlagEditor catalog={p.catalog} profile={p.current} issues={p.command?.issues ?? []} onChange={a.setFlag} />

          <details className="profile-section" open={Object.keys(p.current.env).length > 0 || envIssues.length > 0}>
            <summary>Environment ({Object.keys(p.current.env).length})</summary>
            <EnvEditor env={p.current.env} issues={envIssues} onSet={a.setEnv} onRename={a.renameEnv} />
          </details>
          <details className="profile-section" open={p.current.extraArgs.length > 0}>
            <summary>Extra arguments ({p.current.extraArgs.length})</summary>
            <p className="muted">Passed to vllm serve as they are, one argument per line (no shell: quotes are literal).</p>
            <textarea
              className="input extra-args"
              rows={3}
              spellCheck={false}
              value={p.current.extraArgs.join('\n')}
              onChange={(e) => a.setExtraArgs(e.target.value === '' ? [] : e.target.value.split('\n'))}
              data-testid="extra-args"
            />
          </details>

          <h4 className="profile-section__title">Command</h4>
          <CommandPreview
            command={p.command}
            error={p.commandError}
            building={p.building}
            runtimeKind={p.runtimeKind ?? 'pending'}
            exposeOnNetwork={p.exposeOnNetwork}
            apiKey={p.apiKey}
            onExpose={a.setExpose}
            onApiKey={a.setApiKey}
          />
        </div>
      )}
      {p.importOpen && (
        <ImportDialog
          result={p.importResult}
          initialText={p.importText}
          profiles={p.profiles}
          onRead={a.readImport}
          onSave={a.saveImport}
          onClose={a.closeImport}
        />
      )}
    </Panel>
  );
}
