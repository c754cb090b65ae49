import type { ConnectionState } from '../api/transport';

/** The status bar's words for the connection (pure, so it is unit-tested). */
export function connectionLabel(c: ConnectionState, kind: 'electron' | 'websocket' | null, now: number): string {
  switch (c.status) {
    case 'open':
      return kind === 'electron' ? 'Connected (desktop)' : 'Connected';
    case 'connecting':
      return 'Connecting…';
    case 'reconnecting': {
      const secs = c.retryAt === null ? null : Math.max(0, Math.ceil((c.retryAt - now) / 1000));
      return secs ? `Disconnected — reconnecting in ${secs} s` : 'Disconnected — reconnecting…';
    }
    case 'closed':
      return 'Disconnected';
  }
}
