import { create } from 'zustand';
import { getTransport } from '../api';
import type { Transport, Unsubscribe } from '../api/transport';
import type { BenchEventDto, BenchResultDto, BenchSummaryDto, UserError } from '../contract';
import { type BenchForm, buildRequest, DEFAULT_FORM, type FormErrors } from '../features/bench/bench-form';
import { useAppStore } from './app-store';

export type BenchProgress = Extract<BenchEventDto, { type: 'progress' }>;
export type ExportFormat = 'json' | 'csv' | 'markdown';

interface BenchState {
  form: BenchForm;
  formErrors: FormErrors;
  runs: BenchSummaryDto[];
  /** The benchmark running in the core (from bench:list or our own start), if any. */
  runningId: string | null;
  progress: BenchProgress | null;
  /** The result on screen: the live partial of the running benchmark, or a saved one. */
  current: BenchResultDto | null;
  /** Saved runs ticked for comparison, loaded. */
  compareIds: string[];
  compared: BenchResultDto[];
  pending: 'start' | 'stop' | null;
  error: UserError | null;
  setForm(patch: Partial<BenchForm>): void;
  load(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  open(id: string): Promise<void>;
  toggleCompare(id: string): Promise<void>;
  remove(id: string): Promise<void>;
  exportRuns(ids: string[], format: ExportFormat): Promise<{ text: string; mime: string; filename: string } | null>;
  applyEvent(e: BenchEventDto): void;
  clearError(): void;
}

const t = () => getTransport();

export const useBenchStore = create<BenchState>()((set, get) => ({
  form: DEFAULT_FORM,
  formErrors: {},
  runs: [],
  runningId: null,
  progress: null,
  current: null,
  compareIds: [],
  compared: [],
  pending: null,
  error: null,

  setForm(patch) {
    const form = { ...get().form, ...patch };
    // Clear the errors of the fields just edited; the rest stay until the next Run.
    const formErrors = { ...get().formErrors };
    for (const k of Object.keys(patch) as (keyof BenchForm)[]) delete formErrors[k];
    set({ form, formErrors });
  },

  async load() {
    const r = await t().invoke('bench:list');
    if (!r.ok) {
      set({ error: r.error });
      return;
    }
    const running = r.value.running;
    set({ runs: r.value.runs, runningId: running });
    // Re-opened page (or a reconnect) while a benchmark runs: show its saved partial.
    if (running && get().current?.id !== running) {
      const g = await t().invoke('bench:get', { id: running });
      if (g.ok) set({ current: g.value });
    }
  },

  async start() {
    if (get().pending || get().runningId) return;
    const built = buildRequest(get().form);
    if (!built.ok) {
      set({ formErrors: built.errors });
      return;
    }
    set({ pending: 'start', error: null, formErrors: {}, progress: null });
    const r = built.kind === 'sweep' ? await t().invoke('bench:sweep', built.request) : await t().invoke('bench:run', built.request);
    if (!r.ok) {
      set({ pending: null, error: r.error });
      if (r.error.field) set({ formErrors: { [r.error.field.startsWith('workload.prompt') ? 'promptsPath' : 'levels']: r.error.message } });
      return;
    }
    set({ pending: null, runningId: r.value.id, current: null, compareIds: [], compared: [] });
  },

  async stop() {
    if (!get().runningId || get().pending === 'stop') return;
    set({ pending: 'stop' });
    const r = await t().invoke('bench:stop');
    set({ pending: null, ...(r.ok ? {} : { error: r.error }) });
  },

  async open(id) {
    const r = await t().invoke('bench:get', { id });
    if (!r.ok) {
      set({ error: r.error });
      return;
    }
    set({ current: r.value });
  },

  async toggleCompare(id) {
    const ids = get().compareIds.includes(id) ? get().compareIds.filter((x) => x !== id) : [...get().compareIds, id];
    set({ compareIds: ids });
    const have = new Map(get().compared.map((r) => [r.id, r]));
    const compared: BenchResultDto[] = [];
    for (const x of ids) {
      const known = have.get(x);
      if (known) compared.push(known);
      else {
        const r = await t().invoke('bench:get', { id: x });
        if (r.ok) compared.push(r.value);
        else set({ error: r.error });
      }
    }
    // The selection may have changed while loading: keep the order the user ticked.
    const now = get().compareIds;
    set({ compared: now.map((x) => compared.find((r) => r.id === x)).filter((r): r is BenchResultDto => r !== undefined) });
  },

  async remove(id) {
    const r = await t().invoke('bench:delete', { id });
    if (!r.ok) {
      set({ error: r.error });
      return;
    }
    set((s) => ({
      runs: s.runs.filter((x) => x.id !== id),
      compareIds: s.compareIds.filter((x) => x !== id),
      compared: s.compared.filter((x) => x.id !== id),
      current: s.current?.id === id ? null : s.current,
    }));
  },

  async exportRuns(ids, format) {
    const r = await t().invoke('bench:export', { ids, format });
    if (!r.ok) {
      set({ error: r.error });
      return null;
    }
    return { text: r.value.text, mime: r.value.mime, filename: r.value.filename };
  },

  applyEvent(e) {
    const s = get();
    if (e.type === 'progress') {
      set({ progress: e, runningId: e.id });
      return;
    }
    if (e.type === 'partial') {
      // Follow the running benchmark; a saved result the user opened stays on screen.
      if (s.runningId === e.id || s.current === null || s.current.id === e.id) set({ current: e.result });
      return;
    }
    if (s.runningId === e.id || s.runningId === null) {
      set({ runningId: null, progress: null, pending: null });
      if (e.status === 'failed')
        useAppStore.getState().pushNotice({ level: 'error', message: `Benchmark failed: ${e.message ?? 'unknown error'}`, source: 'ui' });
      void get().load();
    }
  },

  clearError() {
    set({ error: null });
  },
}));

/** Events in, and the saved list on every (re)connect. */
export function wireBenchStore(transport: Transport): Unsubscribe {
  let wasOpen = transport.status.status === 'open';
  const offs: Unsubscribe[] = [
    transport.on('bench', (e) => useBenchStore.getState().applyEvent(e)),
    transport.onStatus((st) => {
      const open = st.status === 'open';
      if (open && !wasOpen) void useBenchStore.getState().load();
      wasOpen = open;
    }),
  ];
  if (wasOpen) void useBenchStore.getState().load();
  return () => {
    for (const off of offs) off();
  };
}

/** Test hook. */
export function resetBenchStoreForTests(): void {
  useBenchStore.setState({
    form: DEFAULT_FORM,
    formErrors: {},
    runs: [],
    runningId: null,
    progress: null,
    current: null,
    compareIds: [],
    compared: [],
    pending: null,
    error: null,
  });
}
