import { create } from 'zustand';
import { getTransport } from '../api';
import type { Result, Settings, SettingsPatch, Theme, UserError } from '../contract';
import { useAppStore } from './app-store';
import { nextTheme } from './theme';

interface SettingsState {
  /** Null until the first `settings:get` answers. */
  settings: Settings | null;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: UserError | null;
  /**
   * The theme before settings arrive (from the first-paint cache), so the toggle and the page
   * agree from the first frame.
   */
  initialTheme: Theme;
  load(): Promise<void>;
  /** Applies the patch at once (optimistic), then keeps what the core answers; reverts on error. */
  update(patch: SettingsPatch): Promise<Result<Settings>>;
  /** The core's `settings` event. */
  applyRemote(s: Settings): void;
  cycleTheme(): Promise<void>;
}

// Updates still unanswered. While any is in flight, `settings` events (which echo each of our
// own updates in turn) are ignored: applying an older echo would flash a stale value. The answer
// to the last update carries the complete current settings anyway.
let inFlight = 0;
let updateSeq = 0;

export const selectTheme = (s: SettingsState): Theme => s.settings?.theme ?? s.initialTheme;

export const useSettingsStore = create<SettingsState>()((set, get) => ({
  settings: null,
  status: 'idle',
  error: null,
  initialTheme: 'system',
  async load() {
    set({ status: 'loading' });
    const r = await getTransport().invoke('settings:get');
    if (r.ok) {
      if (inFlight === 0) set({ settings: r.value, status: 'ready', error: null });
      else set({ status: 'ready', error: null });
    } else {
      set({ status: 'error', error: r.error });
    }
  },
  async update(patch) {
    const before = get().settings;
    const seq = ++updateSeq;
    inFlight++;
    if (before) set({ settings: { ...before, ...patch } });
    else if (patch.theme) set({ initialTheme: patch.theme });
    let r: Result<Settings>;
    try {
      r = await getTransport().invoke('settings:update', patch);
    } finally {
      inFlight--;
    }
    const latest = seq === updateSeq;
    if (r.ok) {
      if (latest) set({ settings: r.value, status: 'ready', error: null });
    } else {
      if (latest) set({ settings: before });
      useAppStore.getState().pushNotice({ level: 'error', message: `Could not save settings: ${r.error.message}`, source: 'ui' });
    }
    return r;
  },
  applyRemote(s) {
    if (inFlight > 0) return;
    set({ settings: s, status: 'ready', error: null });
  },
  async cycleTheme() {
    await get().update({ theme: nextTheme(selectTheme(get())) });
  },
}));

/** Test hook: forget in-flight bookkeeping between tests. */
export function resetSettingsStoreForTests(): void {
  inFlight = 0;
  updateSeq = 0;
  useSettingsStore.setState({ settings: null, status: 'idle', error: null, initialTheme: 'system' });
}
