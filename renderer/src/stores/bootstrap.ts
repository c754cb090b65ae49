import { getTransport } from '../api';
import type { Transport, Unsubscribe } from '../api/transport';
import { useAppStore } from './app-store';
import { wireBenchStore } from './bench-store';
import { wireChatStore } from './chat-store';
import { wireGpuStore } from './gpu-store';
import { wireLogsStore } from './logs-store';
import { wireMetricsStore } from './metrics-store';
import { useNavStore } from './nav-store';
import { wireProfileStore } from './profile-store';
import { wireServerStore } from './server-store';
import { useSettingsStore } from './settings-store';

/**
 * Wires the transport's events and connection state into the stores, and loads what the app
 * frame needs. Each module adds its own `wireX(transport)` line here (events in, initial load on
 * every (re)connect). Returns a function that undoes all of it.
 */
export function bootstrap(transport: Transport = getTransport()): Unsubscribe {
  const offs: Unsubscribe[] = [];
  const app = useAppStore.getState();

  // Everything the frame shows comes from the core; after a reconnect it may have changed
  // (another tab edited settings, the web shell restarted), so reload on every open.
  const sync = () => {
    void useAppStore.getState().loadInfo();
    void useSettingsStore.getState().load();
  };

  app.setConnection(transport.status, transport.kind);
  let wasOpen = transport.status.status === 'open';
  offs.push(
    transport.onStatus((s) => {
      useAppStore.getState().setConnection(s);
      const open = s.status === 'open';
      if (open && !wasOpen) sync();
      wasOpen = open;
    }),
  );

  offs.push(transport.on('settings', (s) => useSettingsStore.getState().applyRemote(s)));
  offs.push(transport.on('notice', (n) => useAppStore.getState().pushNotice({ ...n, source: 'core' })));
  offs.push(wireGpuStore(transport));
  offs.push(wireServerStore(transport));
  offs.push(wireLogsStore(transport));
  offs.push(wireProfileStore(transport));
  offs.push(wireMetricsStore(transport));
  offs.push(wireChatStore(transport));
  offs.push(wireBenchStore(transport));

  // Electron IPC is open from the start; the WebSocket syncs when it opens (above).
  if (wasOpen) sync();

  return () => {
    for (const off of offs) off();
  };
}

/** Keeps the nav store and the URL hash in step (back/forward, hand-edited URLs). */
export function wireHashRouting(win: Pick<Window, 'addEventListener' | 'removeEventListener' | 'location'>): Unsubscribe {
  const onHash = () => useNavStore.getState().syncFromHash(win.location.hash);
  onHash();
  win.addEventListener('hashchange', onHash);
  return () => win.removeEventListener('hashchange', onHash);
}
