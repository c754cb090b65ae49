import { create } from 'zustand';
import { getTransport } from '../api';
import type { Transport, Unsubscribe } from '../api/transport';
import type { CommandResult, EventPayload, UserError } from '../contract';
import { useAppStore } from './app-store';

export type MetricsEvent = EventPayload<'metrics'>;
export type MetricsState = MetricsEvent['state'];
export type MetricsPoint = MetricsEvent['points'][number];
export type MetricsAnnotation = MetricsEvent['annotations'][number];
export type WindowStats = NonNullable<MetricsEvent['windows'][number]['stats']>;
export type GpuMeta = MetricsEvent['gpus'][number];
export type RawMetrics = CommandResult<'metrics:raw'>;

/** The dashboard's windows (minutes → seconds); the core sends stats for each with every event. */
export const WINDOWS = [
  { minutes: 1, seconds: 60 },
  { minutes: 5, seconds: 300 },
  { minutes: 15, seconds: 900 },
] as const;
export type WindowSeconds = (typeof WINDOWS)[number]['seconds'];

/** Rows kept: the largest window plus a minute; capped like the core's history (16 min at 250 ms). */
const KEEP_MS = 16 * 60_000;
const MAX_ROWS = 3840;
/** Rows asked for when (re)loading a window: what the charts draw at most. */
export const MAX_CHART_POINTS = 600;
/** Browsers skip animation frames in hidden tabs: apply anyway after this long. */
const HIDDEN_FLUSH_MS = 250;

/** What the dashboard draws: the live data, or a copy frozen by Pause. */
export interface MetricsView {
  points: MetricsPoint[];
  annotations: MetricsAnnotation[];
  /** Stats per window length (seconds). */
  stats: Partial<Record<number, WindowStats | null>>;
  gpus: GpuMeta[];
}

export interface FrameScheduler {
  request(fn: () => void): unknown;
  cancel(handle: unknown): void;
}

const defaultScheduler = (): FrameScheduler => {
  const g = globalThis as { requestAnimationFrame?: (fn: () => void) => number; cancelAnimationFrame?: (h: number) => void };
  if (g.requestAnimationFrame && g.cancelAnimationFrame) {
    const raf = g.requestAnimationFrame.bind(globalThis);
    const caf = g.cancelAnimationFrame.bind(globalThis);
    return { request: (fn) => raf(fn), cancel: (h) => caf(h as number) };
  }
  return { request: (fn) => setTimeout(fn, 16), cancel: (h) => clearTimeout(h as ReturnType<typeof setTimeout>) };
};

interface MetricsStoreState {
  state: MetricsState | null;
  live: MetricsView;
  /** Set while paused: the dashboard shows this; `live` keeps filling underneath. */
  frozen: MetricsView | null;
  windowS: WindowSeconds;
  loading: boolean;
  attaching: boolean;
  error: UserError | null;
  /** Event batches applied (one per animation frame at most; tests and the bench read it). */
  applies: number;
  /** Queues an event; all queued events are applied together at the next animation frame. */
  receive(e: MetricsEvent): void;
  flush(): void;
  /** Loads the selected window from the core (after a (re)connect, a window change or a reset). */
  load(): Promise<void>;
  setWindow(w: WindowSeconds): void;
  togglePause(): void;
  attach(url: string, apiKey?: string): Promise<boolean>;
  detach(): Promise<void>;
  /** The last scraped body, parsed (raw view); null when the core has none or is unreachable. */
  loadRaw(filter: string, maxSamples?: number): Promise<RawMetrics | null>;
}

const emptyView = (): MetricsView => ({ points: [], annotations: [], stats: {}, gpus: [] });

let queue: MetricsEvent[] = [];
let frame: unknown;
let hiddenTimer: ReturnType<typeof setTimeout> | undefined;
let scheduler: FrameScheduler = defaultScheduler();
/** Answers to older load() calls are dropped (the window changed meanwhile). */
let loadSeq = 0;

/** Appends rows newer than the last one and drops what is older than the kept span. */
export function appendRows(rows: MetricsPoint[], add: readonly MetricsPoint[]): MetricsPoint[] {
  const lastT = rows.length > 0 ? rows[rows.length - 1]!.t : Number.NEGATIVE_INFINITY;
  const fresh = add.filter((p) => p.t > lastT);
  if (fresh.length === 0) return rows;
  const all = rows.concat(fresh);
  const cut = all[all.length - 1]!.t - KEEP_MS;
  let i = 0;
  while (i < all.length && all[i]!.t < cut) i++;
  i = Math.max(i, all.length - MAX_ROWS);
  return i > 0 ? all.slice(i) : all;
}

/** Applies queued events to a view (pure; exported for tests). */
export function applyEvents(view: MetricsView, events: readonly MetricsEvent[]): MetricsView {
  let points = view.points;
  let annotations = view.annotations;
  let stats = view.stats;
  let gpus = view.gpus;
  for (const e of events) {
    if (e.reset) {
      points = [];
      annotations = [];
      stats = {};
    }
    points = appendRows(points, e.points);
    if (e.annotations.length > 0) {
      const cut = (points[points.length - 1]?.t ?? 0) - KEEP_MS;
      annotations = annotations.concat(e.annotations).filter((a) => a.t >= cut);
    }
    stats = { ...stats };
    for (const w of e.windows) stats[w.windowS] = w.stats;
    gpus = e.gpus;
  }
  return { points, annotations, stats, gpus };
}

export const useMetricsStore = create<MetricsStoreState>()((set, get) => ({
  state: null,
  live: emptyView(),
  frozen: null,
  windowS: 60,
  loading: false,
  attaching: false,
  error: null,
  applies: 0,
  receive(e) {
    queue.push(e);
    if (frame === undefined) {
      frame = scheduler.request(() => {
        frame = undefined;
        get().flush();
      });
    }
    hiddenTimer ??= setTimeout(() => {
      hiddenTimer = undefined;
      get().flush();
    }, HIDDEN_FLUSH_MS);
  },
  flush() {
    if (frame !== undefined) {
      scheduler.cancel(frame);
      frame = undefined;
    }
    if (hiddenTimer !== undefined) {
      clearTimeout(hiddenTimer);
      hiddenTimer = undefined;
    }
    if (queue.length === 0) return;
    const events = queue;
    queue = [];
    const last = events[events.length - 1]!;
    set({ live: applyEvents(get().live, events), state: last.state, applies: get().applies + 1 });
    // A new target: the core cleared its timeline; fetch the (new) history for the window.
    if (events.some((e) => e.reset)) void get().load();
  },
  async load() {
    const seq = ++loadSeq;
    const windowS = get().windowS;
    set({ loading: true });
    const r = await getTransport().invoke('metrics:series', { windowS, maxPoints: MAX_CHART_POINTS });
    if (seq !== loadSeq) return;
    if (!r.ok) {
      set({ loading: false });
      return; // the next event or reconnect brings the data anyway
    }
    // Events queued before this answer are older than it (one ordered channel): it supersedes them.
    if (frame !== undefined) scheduler.cancel(frame);
    if (hiddenTimer !== undefined) clearTimeout(hiddenTimer);
    frame = undefined;
    hiddenTimer = undefined;
    const pendingWindows = queue.flatMap((e) => e.windows);
    queue = [];
    const v = r.value;
    const stats: MetricsView['stats'] = { ...get().live.stats, [windowS]: v.stats };
    for (const w of pendingWindows) if (w.windowS !== windowS) stats[w.windowS] = w.stats;
    set({
      loading: false,
      state: v.state,
      live: { points: v.points, annotations: v.annotations, stats, gpus: v.gpus },
      applies: get().applies + 1,
    });
  },
  setWindow(w) {
    if (w === get().windowS) return;
    set({ windowS: w });
    // A larger window needs the older history; a smaller one is already here but reloading keeps it simple.
    void get().load();
  },
  togglePause() {
    set({ frozen: get().frozen ? null : get().live });
  },
  async attach(url, apiKey) {
    if (get().attaching) return false;
    set({ attaching: true, error: null });
    const r = await getTransport().invoke('metrics:attach', { url, ...(apiKey ? { apiKey } : {}) });
    if (r.ok) {
      set({ attaching: false, state: r.value, frozen: null });
      await get().load();
      return true;
    }
    set({ attaching: false, error: r.error });
    return false;
  },
  async detach() {
    const r = await getTransport().invoke('metrics:detach');
    if (r.ok) {
      set({ state: r.value, frozen: null, error: null });
      await get().load();
    } else if (r.error.kind !== 'disconnected' && r.error.kind !== 'closed') {
      useAppStore.getState().pushNotice({ level: 'error', message: `Could not detach: ${r.error.message}`, source: 'ui' });
    }
  },
  async loadRaw(filter, maxSamples = 2000) {
    const r = await getTransport().invoke('metrics:raw', { filter, maxSamples });
    return r.ok ? r.value : null;
  },
}));

/** `metrics` events in; the selected window again after every (re)connect. Called once from bootstrap. */
export function wireMetricsStore(transport: Transport): Unsubscribe {
  let wasOpen = transport.status.status === 'open';
  const offs = [
    transport.on('metrics', (e) => useMetricsStore.getState().receive(e)),
    transport.onStatus((st) => {
      const open = st.status === 'open';
      if (open && !wasOpen) void useMetricsStore.getState().load();
      wasOpen = open;
    }),
  ];
  if (wasOpen) void useMetricsStore.getState().load();
  return () => {
    for (const off of offs) off();
  };
}

/** Test hook: an empty store and, optionally, a hand-cranked frame scheduler. */
export function resetMetricsStoreForTests(s: FrameScheduler = defaultScheduler()): void {
  if (frame !== undefined) scheduler.cancel(frame);
  if (hiddenTimer !== undefined) clearTimeout(hiddenTimer);
  frame = undefined;
  hiddenTimer = undefined;
  queue = [];
  loadSeq = 0;
  scheduler = s;
  useMetricsStore.setState({
    state: null,
    live: emptyView(),
    frozen: null,
    windowS: 60,
    loading: false,
    attaching: false,
    error: null,
    applies: 0,
  });
}
