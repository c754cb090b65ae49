import { create } from 'zustand';
import { getTransport } from '../api';
import type { Transport, Unsubscribe } from '../api/transport';
import type { EventPayload, LogEntryDto, UserError } from '../contract';
import { useAppStore } from './app-store';
import { LogBuffer } from './log-buffer';
import { useSettingsStore } from './settings-store';

type LogBatch = EventPayload<'logs'>;

/** The settings default (app/contract/settings.ts) until settings arrive. */
const DEFAULT_CAPACITY = 50_000;
/**
 * Browsers do not run animation frames in a hidden tab: apply anyway after this long, so the
 * queue cannot grow without bound while nobody looks.
 */
const HIDDEN_FLUSH_MS = 250;
/** logs:get page size on (re)connect: ~1 MB of JSON, parsed in a few ms. */
const LOAD_PAGE_LINES = 5000;

export interface FrameScheduler {
  request(fn: () => void): unknown;
  cancel(handle: unknown): void;
  /** ms clock for the flood throttle (default performance.now). */
  now?(): number;
}

/**
 * Under a flood the viewer refreshes at most every FLOOD_APPLY_MS instead of every frame: nobody
 * reads 10,000+ lines a second, and each refresh re-lays out the visible text. The rest of the
 * UI (input, the header, scrolling) keeps every frame. A flood is a last apply of at least
 * FLOOD_LINES_PER_APPLY lines (~12,000 lines/s at 60 fps).
 */
const FLOOD_LINES_PER_APPLY = 200;
const FLOOD_APPLY_MS = 50;

/** requestAnimationFrame where there is one (the app), a 16 ms timer elsewhere (node tests). */
const defaultScheduler = (): FrameScheduler => {
  const g = globalThis as { requestAnimationFrame?: (fn: () => void) => number; cancelAnimationFrame?: (h: number) => void };
  if (g.requestAnimationFrame && g.cancelAnimationFrame) {
    const raf = g.requestAnimationFrame.bind(globalThis);
    const caf = g.cancelAnimationFrame.bind(globalThis);
    return { request: (fn) => raf(fn), cancel: (h) => caf(h as number) };
  }
  return { request: (fn) => setTimeout(fn, 16), cancel: (h) => clearTimeout(h as ReturnType<typeof setTimeout>) };
};

interface LogsState {
  /** The log itself (mutable; see LogBuffer). Subscribe to `version` to re-render on changes. */
  buffer: LogBuffer;
  version: number;
  /** Batches applied since the page loaded (the bench reads this). */
  applies: number;
  /** The line the viewer should bring into view (from the failure card's "show in log"). */
  focusSeq: number | null;
  savedPath: string | null;
  busy: null | 'save' | 'clear';
  error: UserError | null;
  /** Queues a batch; applied with the others at the next animation frame. */
  receive(batch: LogBatch): void;
  /** Applies everything queued now (the frame callback; tests). */
  flush(): void;
  /** Loads what the core holds (after a (re)connect or a page reload). */
  load(): Promise<void>;
  save(): Promise<void>;
  clear(): Promise<void>;
  focus(seq: number | null): void;
  setCapacity(capacity: number): void;
}

let queue: LogBatch[] = [];
let queuedEntries = 0;
let frame: unknown;
let hiddenTimer: ReturnType<typeof setTimeout> | undefined;
let scheduler: FrameScheduler = defaultScheduler();
let lastApplyAt = Number.NEGATIVE_INFINITY;
let lastApplyLines = 0;
const now = () => (scheduler.now ? scheduler.now() : performance.now());

/** The frame callback: applies the queue, or waits for a later frame while a flood is on. */
function onFrame(): void {
  frame = undefined;
  if (lastApplyLines >= FLOOD_LINES_PER_APPLY && now() - lastApplyAt < FLOOD_APPLY_MS) {
    frame = scheduler.request(onFrame);
    return;
  }
  useLogsStore.getState().flush();
}

function dropQueue(): void {
  if (frame !== undefined) scheduler.cancel(frame);
  if (hiddenTimer !== undefined) clearTimeout(hiddenTimer);
  frame = undefined;
  hiddenTimer = undefined;
  queue = [];
  queuedEntries = 0;
}

const capacity = (): number => useSettingsStore.getState().settings?.logBufferLines ?? DEFAULT_CAPACITY;

export const useLogsStore = create<LogsState>()((set, get) => ({
  buffer: new LogBuffer(capacity()),
  version: 0,
  applies: 0,
  focusSeq: null,
  savedPath: null,
  busy: null,
  error: null,
  receive(batch) {
    queue.push(batch);
    queuedEntries += batch.entries.length;
    // More queued than the buffer holds (a long stall): apply now rather than hold it all.
    if (queuedEntries > get().buffer.capacity) {
      get().flush();
      return;
    }
    if (frame === undefined) {
      frame = scheduler.request(onFrame);
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
    const batches = queue;
    queue = [];
    lastApplyLines = queuedEntries;
    lastApplyAt = now();
    queuedEntries = 0;
    const buf = get().buffer;
    // The setting may have changed since the buffer was made (settings arrive after the first batches).
    const cap = useSettingsStore.getState().settings?.logBufferLines;
    if (cap !== undefined && cap !== buf.capacity) buf.setCapacity(cap);
    let changed = false;
    for (const b of batches) changed = buf.apply(b) || changed;
    if (changed) set({ version: buf.version, applies: get().applies + 1 });
  },
  async load() {
    const t = getTransport();
    const buf = get().buffer;
    // Where the core's log starts and ends (one line is enough to learn that).
    const head = await t.invoke('logs:get', { limit: 1 });
    if (!head.ok) return; // the next batch or reconnect brings the log anyway
    const { runId, endSeq } = head.value;
    // In pages: one 50,000-line answer is ~10 MB of JSON, a long freeze to parse in one go.
    const entries: LogEntryDto[] = [];
    let from = Math.max(head.value.firstSeq, endSeq - buf.capacity);
    for (;;) {
      const r = await t.invoke('logs:get', { fromSeq: from, limit: LOAD_PAGE_LINES });
      // A new run began meanwhile: its batches reset the buffer themselves.
      if (!r.ok || r.value.runId !== runId) return;
      for (const e of r.value.entries) if (e.seq >= r.value.firstSeq) entries.push(e);
      const last = r.value.entries.at(-1);
      if (!last || last.seq + 1 >= r.value.endSeq || r.value.entries.length < LOAD_PAGE_LINES) break;
      from = last.seq + 1;
    }
    // Everything queued so far arrived before the last page (one ordered channel), so the pages
    // hold it already, newer progress frames included: drop it rather than replay older text.
    dropQueue();
    buf.replaceAll(runId, entries);
    set({ version: buf.version });
  },
  async save() {
    set({ busy: 'save', error: null });
    const r = await getTransport().invoke('logs:save');
    if (r.ok) set({ busy: null, savedPath: r.value.path });
    else {
      set({ busy: null, error: r.error });
      useAppStore.getState().pushNotice({ level: 'error', message: `Could not save the log: ${r.error.message}`, source: 'ui' });
    }
  },
  async clear() {
    set({ busy: 'clear', error: null });
    const r = await getTransport().invoke('logs:clear');
    // The core confirms with a `cleared` batch; clearing here too makes the button feel instant.
    if (r.ok) {
      get().flush();
      const buf = get().buffer;
      buf.reset(buf.runId);
      set({ busy: null, version: buf.version, savedPath: null, focusSeq: null });
    } else {
      set({ busy: null, error: r.error });
      useAppStore.getState().pushNotice({ level: 'error', message: `Could not clear the log: ${r.error.message}`, source: 'ui' });
    }
  },
  focus(seq) {
    set({ focusSeq: seq });
  },
  setCapacity(cap) {
    const buf = get().buffer;
    buf.setCapacity(cap);
    set({ version: buf.version });
  },
}));

/** `logs` events in; the core's log again after every (re)connect. Called once from bootstrap. */
export function wireLogsStore(transport: Transport): Unsubscribe {
  let wasOpen = transport.status.status === 'open';
  const offs = [
    transport.on('logs', (b) => useLogsStore.getState().receive(b)),
    transport.onStatus((st) => {
      const open = st.status === 'open';
      if (open && !wasOpen) void useLogsStore.getState().load();
      wasOpen = open;
    }),
  ];
  if (wasOpen) void useLogsStore.getState().load();
  return () => {
    for (const off of offs) off();
  };
}

/** Test hook: a fresh buffer and, optionally, a hand-cranked frame scheduler. */
export function resetLogsStoreForTests(s: FrameScheduler = defaultScheduler()): void {
  dropQueue();
  lastApplyAt = Number.NEGATIVE_INFINITY;
  lastApplyLines = 0;
  scheduler = s;
  useLogsStore.setState({
    buffer: new LogBuffer(capacity()),
    version: 0,
    applies: 0,
    focusSeq: null,
    savedPath: null,
    busy: null,
    error: null,
  });
}
