import { useAppStore } from '../stores/app-store';
import { connectionLabel } from './connection-text';
import { useNow } from './use-now';

// After a few failed attempts the likeliest cause is a restarted web shell (new token, so the
// old cookie is refused), not a network blip.
const STALE_TOKEN_HINT_AFTER = 3;

/** Shown above the page while the web shell's socket is down, with a way to retry at once. */
export function ConnectionBanner() {
  const connection = useAppStore((s) => s.connection);
  const kind = useAppStore((s) => s.transportKind);
  const retry = useAppStore((s) => s.retryConnection);
  const down = connection.status === 'reconnecting' || connection.status === 'closed';
  const now = useNow(connection.status === 'reconnecting');
  if (!down) return null;
  return (
    <div className="banner banner--warn" role="status" data-testid="connection-banner">
      <div className="banner__text">
        <strong>{connectionLabel(connection, kind, now)}</strong>
        {connection.status === 'reconnecting' && connection.attempt > 1 && <span> (attempt {connection.attempt})</span>}
        <span className="banner__detail">
          {connection.status === 'closed'
            ? (connection.lastError ?? 'The connection to the panel was closed. Reload the page to reconnect.')
            : 'The panel is unreachable; what you see may be out of date. Commands wait until it is back.'}
          {connection.status === 'reconnecting' && connection.lastError && ` Last error: ${connection.lastError.replace(/\.$/, '')}.`}
        </span>
        {kind === 'websocket' && connection.attempt >= STALE_TOKEN_HINT_AFTER && (
          <span className="banner__detail" data-testid="connection-token-hint">
            If the panel was restarted, open the new URL it printed: it carries a fresh access token.
          </span>
        )}
      </div>
      {connection.status === 'reconnecting' && (
        <button type="button" className="btn btn--sm" onClick={retry} data-testid="connection-retry">
          Retry now
        </button>
      )}
    </div>
  );
}
