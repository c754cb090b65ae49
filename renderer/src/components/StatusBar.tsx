import { useEffect, useId, useRef, useState } from 'react';
import { type Notice, useAppStore } from '../stores/app-store';
import { connectionLabel } from './connection-text';
import { BellIcon, CloseIcon } from './icons';
import { useNow } from './use-now';

const LEVEL_LABEL: Record<Notice['level'], string> = { info: 'Info', warning: 'Warning', error: 'Error' };

export function StatusBar() {
  const connection = useAppStore((s) => s.connection);
  const kind = useAppStore((s) => s.transportKind);
  const info = useAppStore((s) => s.info);
  const now = useNow(connection.status === 'reconnecting');
  const shell = info?.shell ?? (kind === 'electron' ? 'electron' : kind === 'websocket' ? 'web' : '…');

  return (
    <footer className="status-bar" data-testid="status-bar">
      <span
        className={`status-bar__item conn conn--${connection.status}`}
        data-testid="connection-state"
        data-state={connection.status}
        role="status"
        title={connection.lastError ?? undefined}
      >
        <span className="conn__dot" aria-hidden="true" />
        {connectionLabel(connection, kind, now)}
      </span>
      <span className="status-bar__item" data-testid="app-shell">
        Shell: {shell}
      </span>
      <span className="status-bar__item" data-testid="app-version">
        {info ? `v${info.version}` : 'v…'}
      </span>
      {info && (
        <span className="status-bar__item status-bar__item--muted" title={`Config: ${info.configDir}`}>
          {info.platform} · Node {info.nodeVersion.replace(/^v/, '')}
        </span>
      )}
      <span className="status-bar__spacer" />
      <Notices />
    </footer>
  );
}

function Notices() {
  const notices = useAppStore((s) => s.notices);
  const dismiss = useAppStore((s) => s.dismissNotice);
  const clear = useAppStore((s) => s.clearNotices);
  const [open, setOpen] = useState(false);
  const listId = useId();
  const ref = useRef<HTMLDivElement>(null);
  const latest = notices.at(-1);
  const worst = notices.some((n) => n.level === 'error') ? 'error' : notices.some((n) => n.level === 'warning') ? 'warning' : 'info';

  useEffect(() => {
    if (notices.length === 0) setOpen(false);
  }, [notices.length]);

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    const onDown = (e: PointerEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('pointerdown', onDown);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('pointerdown', onDown);
    };
  }, [open]);

  if (!latest) {
    return (
      <span className="status-bar__item status-bar__item--muted" data-testid="notices-none">
        No notices
      </span>
    );
  }
  return (
    <div className="notices" ref={ref}>
      <button
        type="button"
        className={`status-bar__button notice-level--${worst}`}
        aria-expanded={open}
        aria-controls={listId}
        data-testid="notices-toggle"
        onClick={() => setOpen(!open)}
      >
        <BellIcon />
        <span className="notices__count">{notices.length}</span>
        <span className="notices__latest">{latest.message}</span>
      </button>
      {open && (
        <div className="notices__popover" id={listId} data-testid="notices-list">
          <div className="notices__head">
            <strong>Notices</strong>
            <button type="button" className="btn btn--ghost btn--xs" onClick={clear} data-testid="notices-clear">
              Clear all
            </button>
          </div>
          <ul>
            {[...notices].reverse().map((n) => (
              <li key={n.id} className={`notice notice-level--${n.level}`}>
                <span className="notice__level">{LEVEL_LABEL[n.level]}</span>
                <span className="notice__message">{n.message}</span>
                <time className="notice__time" dateTime={new Date(n.at).toISOString()}>
                  {new Date(n.at).toLocaleTimeString()}
                </time>
                <button type="button" className="icon-btn" aria-label={`Dismiss: ${n.message}`} onClick={() => dismiss(n.id)}>
                  <CloseIcon />
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
