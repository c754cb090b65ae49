import { describe, expect, it } from 'vitest';
import type { ConnectionState } from '../api/transport';
import { connectionLabel } from './connection-text';

const base: ConnectionState = { status: 'open', attempt: 0, retryAt: null, serverVersion: null, lastError: null };

describe('connectionLabel', () => {
  it('names the shell when connected', () => {
    expect(connectionLabel(base, 'websocket', 0)).toBe('Connected');
    expect(connectionLabel(base, 'electron', 0)).toBe('Connected (desktop)');
  });
  it('counts down to the next reconnect attempt in whole seconds', () => {
    const c: ConnectionState = { ...base, status: 'reconnecting', attempt: 2, retryAt: 10_000 };
    expect(connectionLabel(c, 'websocket', 7_100)).toBe('Disconnected — reconnecting in 3 s');
    expect(connectionLabel(c, 'websocket', 9_999)).toBe('Disconnected — reconnecting in 1 s');
    expect(connectionLabel(c, 'websocket', 10_000)).toBe('Disconnected — reconnecting…');
    expect(connectionLabel({ ...c, retryAt: null }, 'websocket', 0)).toBe('Disconnected — reconnecting…');
  });
  it('covers connecting and closed', () => {
    expect(connectionLabel({ ...base, status: 'connecting' }, null, 0)).toBe('Connecting…');
    expect(connectionLabel({ ...base, status: 'closed' }, 'websocket', 0)).toBe('Disconnected');
  });
});
