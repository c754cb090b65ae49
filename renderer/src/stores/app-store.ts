import { create } from 'zustand';
import { getTransport } from '../api';
import type { ConnectionState } from '../api/transport';
import type { AppInfo, EventPayload, UserError } from '../contract';

export type NoticeLevel = EventPayload<'notice'>['level'];

export interface Notice {
  id: number;
  level: NoticeLevel;
  message: string;
  /** Epoch ms. */
  at: number;
  /** `core`: pushed by the core's `notice` event; `ui`: raised by the renderer itself. */
  source: 'core' | 'ui';
}

/** Bounded so a chatty core cannot grow the renderer's memory without limit. */
export const MAX_NOTICES = 50;

interface AppState {
  connection: ConnectionState;
  /** Which transport carries the API (known before the first answer arrives). */
  transportKind: 'electron' | 'websocket' | null;
  info: AppInfo | null;
  infoError: UserError | null;
  notices: Notice[];
  setConnection(c: ConnectionState, kind?: 'electron' | 'websocket'): void;
  loadInfo(): Promise<void>;
  pushNotice(n: Omit<Notice, 'id' | 'at'> & { at?: number }): void;
  dismissNotice(id: number): void;
  clearNotices(): void;
  /** Skips the reconnect wait. */
  retryConnection(): void;
}

let nextNoticeId = 1;

export const useAppStore = create<AppState>()((set, get) => ({
  connection: { status: 'connecting', attempt: 0, retryAt: null, serverVersion: null, lastError: null },
  transportKind: null,
  info: null,
  infoError: null,
  notices: [],
  setConnection(connection, kind) {
    set(kind ? { connection, transportKind: kind } : { connection });
  },
  async loadInfo() {
    const r = await getTransport().invoke('app:info');
    if (r.ok) set({ info: r.value, infoError: null });
    else {
      set({ infoError: r.error });
      // A lost connection is already visible in the status bar; anything else deserves a notice.
      if (r.error.kind !== 'disconnected' && r.error.kind !== 'closed') {
        get().pushNotice({ level: 'error', message: `Could not read app info: ${r.error.message}`, source: 'ui' });
      }
    }
  },
  pushNotice(n) {
    const notice: Notice = { id: nextNoticeId++, level: n.level, message: n.message, at: n.at ?? Date.now(), source: n.source };
    set({ notices: [...get().notices, notice].slice(-MAX_NOTICES) });
  },
  dismissNotice(id) {
    set({ notices: get().notices.filter((n) => n.id !== id) });
  },
  clearNotices() {
    set({ notices: [] });
  },
  retryConnection() {
    getTransport().retryNow();
  },
}));
