import { create } from 'zustand';
import { getTransport } from '../api';
import type { Transport, Unsubscribe } from '../api/transport';
import type { CommandResult, Result, UserError } from '../contract';
import { useAppStore } from './app-store';

export type GpuSnapshot = CommandResult<'gpu:list'>;
export type Gpu = GpuSnapshot['gpus'][number];
export type GpuSelection = CommandResult<'gpu:selection'>;
export type SystemInfo = CommandResult<'system:info'>;

interface GpuState {
  /** Null until the first nvidia-smi answer arrives. */
  snapshot: GpuSnapshot | null;
  /** The GPUs the next launch uses (owned and persisted by the core; see gpu:select). */
  selection: GpuSelection | null;
  system: SystemInfo | null;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: UserError | null;
  /** Mounted views that want live updates; the core polls while this is above zero. */
  watchers: number;
  /** Loads snapshot, selection and host info once. */
  load(): Promise<void>;
  /** A view appears (true) or goes (false): starts/stops the core's polling. */
  watch(on: boolean): Promise<void>;
  refresh(): Promise<void>;
  /** Ticks or unticks one GPU (optimistic; the core's answer is kept). */
  toggle(index: number): Promise<void>;
  select(indices: number[]): Promise<void>;
  applySnapshot(s: GpuSnapshot): void;
  applySelection(s: GpuSelection): void;
}

// Select requests still unanswered: `gpu-selection` echoes of our own older requests are ignored
// while one is in flight (same reasoning as the settings store).
let selectSeq = 0;
let selectInFlight = 0;

const quiet = (e: UserError) => e.kind === 'disconnected' || e.kind === 'closed';

export const useGpuStore = create<GpuState>()((set, get) => ({
  snapshot: null,
  selection: null,
  system: null,
  status: 'idle',
  error: null,
  watchers: 0,
  async load() {
    set({ status: get().snapshot ? 'ready' : 'loading' });
    const t = getTransport();
    // A snapshot up to a second old is as good as a fresh one (the poller may have one).
    const [snap, sel, sys] = await Promise.all([
      t.invoke('gpu:list', { maxAgeMs: 1000 }),
      t.invoke('gpu:selection'),
      t.invoke('system:info'),
    ]);
    if (snap.ok) set({ snapshot: snap.value, status: 'ready', error: null });
    else set({ status: 'error', error: snap.error });
    if (sel.ok && selectInFlight === 0) set({ selection: sel.value });
    if (sys.ok) set({ system: sys.value });
  },
  async watch(on) {
    const before = get().watchers;
    const watchers = Math.max(0, before + (on ? 1 : -1));
    set({ watchers });
    if (on && before === 0) {
      await Promise.all([get().load(), getTransport().invoke('gpu:watch', { on: true })]);
    } else if (!on && before === 1) {
      await getTransport().invoke('gpu:watch', { on: false });
    }
  },
  async refresh() {
    const r = await getTransport().invoke('gpu:list');
    if (r.ok) set({ snapshot: r.value, status: 'ready', error: null });
    else if (!quiet(r.error)) set({ status: 'error', error: r.error });
  },
  async toggle(index) {
    const current = get().selection?.indices ?? [];
    const next = current.includes(index) ? current.filter((i) => i !== index) : [...current, index].sort((a, b) => a - b);
    await get().select(next);
  },
  async select(indices) {
    const before = get().selection;
    const seq = ++selectSeq;
    selectInFlight++;
    // Optimistic: the ticks move now; env and data-parallel size arrive with the core's answer.
    set({ selection: { ...(before ?? { env: {}, dataParallelSize: 0, issues: [] }), indices } });
    let r: Result<GpuSelection>;
    try {
      r = await getTransport().invoke('gpu:select', { indices });
    } finally {
      selectInFlight--;
    }
    if (seq !== selectSeq) return;
    if (r.ok) set({ selection: r.value });
    else {
      set({ selection: before });
      useAppStore.getState().pushNotice({ level: 'error', message: `Could not select GPUs: ${r.error.message}`, source: 'ui' });
    }
  },
  applySnapshot(s) {
    set({ snapshot: s, status: 'ready', error: null });
  },
  applySelection(s) {
    if (selectInFlight > 0) return;
    set({ selection: s });
  },
}));

/**
 * Events in, and after a reconnect (a restarted web shell has forgotten our watch) the watch and
 * the data again, but only while a GPU view is mounted. Called once from bootstrap.
 */
export function wireGpuStore(transport: Transport): Unsubscribe {
  let wasOpen = transport.status.status === 'open';
  const offs = [
    transport.on('gpus', (s) => useGpuStore.getState().applySnapshot(s)),
    transport.on('gpu-selection', (s) => useGpuStore.getState().applySelection(s)),
    transport.onStatus((st) => {
      const open = st.status === 'open';
      if (open && !wasOpen && useGpuStore.getState().watchers > 0) {
        void useGpuStore.getState().load();
        void transport.invoke('gpu:watch', { on: true });
      }
      wasOpen = open;
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}

/** Test hook. */
export function resetGpuStoreForTests(): void {
  selectSeq = 0;
  selectInFlight = 0;
  useGpuStore.setState({ snapshot: null, selection: null, system: null, status: 'idle', error: null, watchers: 0 });
}
