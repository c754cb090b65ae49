import { useState } from 'react';
import type { UserError } from '../../contract';
import type { BuiltCommand } from '../../stores/profile-store';

export interface CommandPreviewProps {
  command: BuiltCommand | null;
  error: UserError | null;
  building: boolean;
  runtimeKind: string;
  exposeOnNetwork: boolean;
  apiKey: string;
  onExpose(on: boolean): void;
  onApiKey(key: string): void;
}

/** Copies text; the async Clipboard API where allowed, else a hidden textarea (http:// web shell on a LAN). */
export async function copyText(text: string): Promise<boolean> {
  try {
    // `clipboard` is missing on insecure origins (http:// on a LAN), whatever the types say.
    const clipboard = (globalThis.navigator as Navigator | undefined)?.clipboard as Clipboard | undefined;
    if (clipboard) {
      await clipboard.writeText(text);
      return true;
    }
  } catch {
    // Not allowed (insecure origin, no focus): fall back below.
  }
  if (typeof document === 'undefined') return false;
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.style.position = 'fixed';
  ta.style.opacity = '0';
  document.body.appendChild(ta);
  ta.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  ta.remove();
  return ok;
}

/**
 * The exact command the panel runs, shell-quoted by the core for copy/paste (the panel itself
 * spawns argv + env, never this text). Problems found by the core are listed with their field.
 */
export function CommandPreview(p: CommandPreviewProps) {
  const [copied, setCopied] = useState<'ok' | 'failed' | null>(null);
  const issues = p.command?.issues ?? [];
  const errors = issues.filter((i) => i.severity === 'error');
  return (
    <div className="command-preview" data-testid="command-preview-box" data-building={p.building} data-runtime={p.runtimeKind}>
      <div className="command-preview__tools">
        <label className="check" title="Bind 0.0.0.0 so other machines can reach vLLM; otherwise 127.0.0.1">
          <input type="checkbox" checked={p.exposeOnNetwork} onChange={(e) => p.onExpose(e.target.checked)} data-testid="expose-network" />
          Expose on network
        </label>
        {p.exposeOnNetwork && (
          <input
            type="password"
            className="input command-preview__key"
            placeholder="API key (recommended)"
            aria-label="API key"
            autoComplete="off"
            value={p.apiKey}
            onChange={(e) => p.onApiKey(e.target.value)}
            data-testid="api-key"
          />
        )}
        <span className="command-preview__meta">
          {p.command
            ? `${p.command.gpus.length ? `GPUs ${p.command.gpus.join(',')} · DP ${p.command.dataParallelSize}` : 'no GPU selected'} · ${
                p.command.vllmVersion ? `vLLM ${p.command.vllmVersion}` : 'newest vLLM flags'
              }`
            : ''}
        </span>
        <button
          type="button"
          className="btn btn--sm"
          disabled={!p.command}
          onClick={async () => {
            if (!p.command) return;
            setCopied((await copyText(p.command.display)) ? 'ok' : 'failed');
            setTimeout(() => setCopied(null), 1500);
          }}
          data-testid="copy-command"
        >
          {copied === 'ok' ? 'Copied' : copied === 'failed' ? 'Copy failed' : 'Copy'}
        </button>
      </div>
      <pre className="command-preview__text" data-testid="command-preview" aria-busy={p.building}>
        {p.command?.display ?? (p.error ? '' : 'Building the command…')}
      </pre>
      {p.error && (
        <p className="issue issue--error" data-testid="command-error">
          {p.error.message}
        </p>
      )}
      {issues.length > 0 && (
        <ul className="command-preview__issues" data-testid="command-issues" data-errors={errors.length}>
          {issues.map((i) => (
            <li key={`${i.field}${i.severity}${i.message}`} className={`issue issue--${i.severity}`}>
              <code>{i.field}</code> {i.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
