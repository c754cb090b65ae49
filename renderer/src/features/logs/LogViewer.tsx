import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, type Ref, useCallback, useEffect, useImperativeHandle, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { EmptyState } from '../../components/EmptyState';
import { LogsIcon } from '../../components/icons';
import type { LogEntryDto } from '../../contract';
import type { LogBuffer } from '../../stores/log-buffer';
import { useLogsStore } from '../../stores/logs-store';
import {
  ALL_LEVELS,
  ALL_PROCS,
  compileSearch,
  entriesText,
  FilteredLog,
  LEVEL_FILTERS,
  LEVEL_LABELS,
  type LevelFilter,
  levelBucket,
  type Matcher,
  PROC_FILTERS,
  PROC_LABELS,
  type ProcFilter,
  splitByRanges,
  stepMatch,
} from './log-filter';
import './logs.css';

/** Fixed row height (px): rows are never measured, which keeps a 50,000-line list cheap to scroll. */
const ROW_H = 18;
/** Rendering a 100 kB line costs layout time for nothing; the full text is in copy/save. */
const MAX_RENDERED_CHARS = 4000;
/** Typing in the search box re-scans up to 50,000 lines: wait for a pause in typing. */
const SEARCH_DEBOUNCE_MS = 150;
/** A scroll event this soon after a wheel turn or key press is the user's. */
const USER_SCROLL_MS = 300;

const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * The Logs page's viewer. Only the parts that show the log itself (the list, the line count, the
 * match count) re-render when lines arrive; the toolbar re-renders on the user's input alone,
 * which keeps a flood's per-frame work down to the visible rows.
 */
export function LogViewer() {
  const buffer = useLogsStore((s) => s.buffer);
  const hasLines = useLogsStore((s) => s.version >= 0 && s.buffer.entries.length > 0);
  const focusSeq = useLogsStore((s) => s.focusSeq);
  const savedPath = useLogsStore((s) => s.savedPath);
  const busy = useLogsStore((s) => s.busy);

  const [levels, setLevels] = useState(ALL_LEVELS);
  const [procs, setProcs] = useState(ALL_PROCS);
  const [query, setQuery] = useState('');
  const [debounced, setDebounced] = useState('');
  const [regex, setRegex] = useState(false);
  const [caseSensitive, setCaseSensitive] = useState(false);
  const [follow, setFollow] = useState(true);
  const [current, setCurrent] = useState<number | null>(null);
  const [flash, setFlash] = useState<number | null>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const list = useRef<LogListHandle>(null);

  useEffect(() => {
    if (query === debounced) return;
    const id = setTimeout(() => setDebounced(query), query === '' ? 0 : SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(id);
  }, [query, debounced]);

  const compiled = useMemo(() => compileSearch({ text: debounced, regex, caseSensitive }), [debounced, regex, caseSensitive]);
  const matcher: Matcher | null = compiled.ok ? compiled.matcher : null;

  // The filtered view follows the buffer incrementally; every part that shows it syncs it first.
  // Syncing during render is safe: it is idempotent for a given buffer version.
  const view = useMemo(() => new FilteredLog(), []);
  const configured = useRef<{ levels: unknown; procs: unknown; matcher: unknown; buffer: unknown }>({
    levels: null,
    procs: null,
    matcher: null,
    buffer: null,
  });
  const c = configured.current;
  if (c.levels !== levels || c.procs !== procs || c.matcher !== matcher || c.buffer !== buffer) {
    view.configure({ levels, procs }, matcher);
    configured.current = { levels, procs, matcher, buffer };
  }

  const goTo = useCallback((seq: number) => {
    setFollow(false);
    setCurrent(seq);
    list.current?.scrollToSeq(seq);
  }, []);

  // "Show in log" from the failure card.
  useEffect(() => {
    if (focusSeq === null) return;
    setFollow(false);
    setFlash(focusSeq);
    requestAnimationFrame(() => list.current?.scrollToSeq(focusSeq));
    useLogsStore.getState().focus(null);
  }, [focusSeq]);

  const step = (dir: 1 | -1) => {
    view.sync(buffer);
    const at = current !== null && view.matchIndex(current) >= 0 ? current : (list.current?.topSeq() ?? null);
    const next = stepMatch(view.matches, at, dir);
    if (next !== null) goTo(next);
  };

  const copy = async () => {
    const sel = globalThis.getSelection?.();
    let text = '';
    let what = '';
    if (sel && !sel.isCollapsed && list.current?.contains(sel.anchorNode)) {
      text = sel.toString();
      what = 'selection';
    } else {
      const visible = list.current?.visibleRows() ?? [];
      text = entriesText(visible);
      what = `${visible.length} visible line${visible.length === 1 ? '' : 's'}`;
    }
    const ok = await writeClipboard(text);
    setCopied(ok ? `Copied ${what}` : 'Copy failed: the browser refused clipboard access');
    setTimeout(() => setCopied(null), 2500);
  };

  const toggle = <K extends string>(set: (f: (r: Record<K, boolean>) => Record<K, boolean>) => void, key: K) =>
    set((r) => ({ ...r, [key]: !r[key] }));

  return (
    <div className="log-viewer-wrap">
      <div className="log-toolbar" role="toolbar" aria-label="Log filters and actions">
        <fieldset className="log-toolbar__group" aria-label="Levels">
          {LEVEL_FILTERS.map((l) => (
            <button
              key={l}
              type="button"
              className={`chip chip--${l}`}
              aria-pressed={levels[l]}
              data-testid={`log-level-${l}`}
              onClick={() => toggle<LevelFilter>(setLevels, l)}
              title={
                l === 'info' ? 'Info and lines without a level (progress bars, prints)' : l === 'error' ? 'Error and critical' : undefined
              }
            >
              {LEVEL_LABELS[l]}
            </button>
          ))}
        </fieldset>
        <fieldset className="log-toolbar__group" aria-label="Processes">
          {PROC_FILTERS.map((p) => (
            <button
              key={p}
              type="button"
              className="chip"
              aria-pressed={procs[p]}
              data-testid={`log-proc-${p}`}
              onClick={() => toggle<ProcFilter>(setProcs, p)}
            >
              {PROC_LABELS[p]}
            </button>
          ))}
        </fieldset>
        <div className="log-toolbar__actions">
          <button
            type="button"
            className="chip"
            aria-pressed={follow}
            data-testid="log-follow"
            title="Keep the newest line in view (turns off when you scroll up)"
            onClick={() => setFollow(!follow)}
          >
            Follow
          </button>
          <button
            type="button"
            className="btn btn--xs"
            onClick={() => void copy()}
            data-testid="log-copy"
            title="Copy the selected text, or the visible lines"
          >
            Copy
          </button>
          <button
            type="button"
            className="btn btn--xs"
            onClick={() => busy === null && void useLogsStore.getState().save()}
            aria-disabled={busy !== null || undefined}
            data-testid="log-save"
            title="Save the whole log to a file"
          >
            Save
          </button>
          <button
            type="button"
            className="btn btn--xs"
            onClick={() => busy === null && void useLogsStore.getState().clear()}
            aria-disabled={busy !== null || undefined}
            data-testid="log-clear"
            title="Clear the log (here and in the panel's buffer)"
          >
            Clear
          </button>
        </div>
      </div>
      <div className="log-toolbar log-toolbar--search">
        <div className="log-search">
          <input
            type="search"
            className="log-search__input"
            placeholder={regex ? 'Search (regex)' : 'Search'}
            aria-label="Search the log"
            aria-invalid={!compiled.ok || undefined}
            aria-describedby={!compiled.ok ? 'log-search-error' : undefined}
            value={query}
            spellCheck={false}
            data-testid="log-search"
            onChange={(e) => {
              setQuery(e.target.value);
              setCurrent(null);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                if (query !== debounced) setDebounced(query);
                step(e.shiftKey ? -1 : 1);
              }
            }}
          />
          <label className="log-search__opt" title="Treat the search as a regular expression">
            <input type="checkbox" checked={regex} onChange={(e) => setRegex(e.target.checked)} data-testid="log-regex" />
            .*
          </label>
          <label className="log-search__opt" title="Match case">
            <input type="checkbox" checked={caseSensitive} onChange={(e) => setCaseSensitive(e.target.checked)} data-testid="log-case" />
            Aa
          </label>
          <MatchCount view={view} buffer={buffer} searching={matcher !== null} current={current} />
          <button
            type="button"
            className="icon-btn"
            aria-label="Previous match"
            title="Previous match (Shift+Enter)"
            onClick={() => step(-1)}
            data-testid="log-prev"
          >
            ↑
          </button>
          <button
            type="button"
            className="icon-btn"
            aria-label="Next match"
            title="Next match (Enter)"
            onClick={() => step(1)}
            data-testid="log-next"
          >
            ↓
          </button>
        </div>
      </div>
      {!compiled.ok && (
        <p className="log-search__error" id="log-search-error" role="alert" data-testid="log-search-error">
          {compiled.error}
        </p>
      )}
      <div className="log-status">
        <LineCount view={view} buffer={buffer} />
        {copied && <span data-testid="log-copied">{copied}</span>}
        {savedPath && (
          <span className="log-status__saved" data-testid="log-saved-path">
            Saved to <code>{savedPath}</code>
          </span>
        )}
      </div>
      {hasLines ? (
        <LogList
          ref={list}
          view={view}
          buffer={buffer}
          matcher={matcher}
          follow={follow}
          setFollow={setFollow}
          current={current}
          flash={flash}
        />
      ) : (
        <EmptyState
          icon={<LogsIcon />}
          title="No logs yet"
          testId="logs-empty"
          items={[
            'stdout and stderr of the API server, EngineCore and workers as they are written',
            'Filters by level and by process; text and regex search with a match count',
            'Progress bars updated in place; errors and warnings highlighted',
          ]}
          hint="Logs appear here once a server is started."
        >
          Everything vLLM prints while it starts, serves and stops.
        </EmptyState>
      )}
    </div>
  );
}

/** Re-renders with every applied batch (the store's `version`) and returns the synced view. */
function useSyncedView(view: FilteredLog, buffer: LogBuffer): number {
  const version = useLogsStore((s) => s.version);
  view.sync(buffer);
  return version;
}

function MatchCount({
  view,
  buffer,
  searching,
  current,
}: {
  view: FilteredLog;
  buffer: LogBuffer;
  searching: boolean;
  current: number | null;
}) {
  useSyncedView(view, buffer);
  const n = view.matches.length;
  const pos = current !== null ? view.matchIndex(current) : -1;
  return (
    <span className="log-search__count" data-testid="log-match-count" data-count={searching ? n : ''} aria-live="polite">
      {searching ? (pos >= 0 ? `${fmt(pos + 1)} / ${fmt(n)}` : `${fmt(n)} match${n === 1 ? '' : 'es'}`) : ''}
    </span>
  );
}

function LineCount({ view, buffer }: { view: FilteredLog; buffer: LogBuffer }) {
  useSyncedView(view, buffer);
  const total = buffer.entries.length;
  const shown = view.rows.length;
  return (
    <span data-testid="log-stats">
      {shown === total ? `${fmt(total)} lines` : `${fmt(shown)} of ${fmt(total)} lines shown`}
      {buffer.dropped > 0 && ` · ${fmt(buffer.dropped)} older lines dropped (buffer ${fmt(buffer.capacity)})`}
    </span>
  );
}

export interface LogListHandle {
  /** Centres the row of `seq` (or the nearest row shown). */
  scrollToSeq(seq: number): void;
  /** Seq of the first row in view. */
  topSeq(): number | null;
  /** The rows fully in view. */
  visibleRows(): LogEntryDto[];
  contains(node: Node | null): boolean;
}

function LogList({
  ref,
  view,
  buffer,
  matcher,
  follow,
  setFollow,
  current,
  flash,
}: {
  ref: Ref<LogListHandle>;
  view: FilteredLog;
  buffer: LogBuffer;
  matcher: Matcher | null;
  follow: boolean;
  setFollow(on: boolean): void;
  current: number | null;
  flash: number | null;
}) {
  const version = useSyncedView(view, buffer);
  const rows = view.rows;
  const count = rows.length;
  const scrollRef = useRef<HTMLElement>(null);
  // Keys are row indices (the default): the same DOM rows are reused frame after frame while the
  // log scrolls through them, and the measurements are only rebuilt when the row count changes.
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_H,
    overscan: 8,
  });

  // How many rows had been dropped at the front when we last kept the scroll position.
  const seenDropped = useRef(view.droppedTotal);
  const offsetAdjustedFor = useRef(view.droppedTotal);

  // The virtualizer learns the scroll position from scroll events, one frame after we set it.
  // Under a flood that frame is enough for the rows to land below the viewport (a blank list),
  // so tell it now where the layout effect below is about to scroll: the end when following,
  // or up by the rows that fell off the front.
  const viewportH = scrollRef.current?.clientHeight ?? 0;
  if (follow) virtualizer.scrollOffset = Math.max(0, count * ROW_H - viewportH);
  else if (offsetAdjustedFor.current !== view.droppedTotal) {
    const dropped = view.droppedTotal - offsetAdjustedFor.current;
    offsetAdjustedFor.current = view.droppedTotal;
    if (virtualizer.scrollOffset) virtualizer.scrollOffset = Math.max(0, virtualizer.scrollOffset - dropped * ROW_H);
  }

  // biome-ignore lint/correctness/useExhaustiveDependencies: the buffer mutates in place; `version` is what says it changed
  useLayoutEffect(() => {
    const el = scrollRef.current;
    const dropped = view.droppedTotal - seenDropped.current;
    seenDropped.current = view.droppedTotal;
    if (!el) return;
    if (follow) {
      const top = Math.max(0, count * ROW_H - el.clientHeight);
      if (Math.abs(el.scrollTop - top) > 1) el.scrollTop = top;
    } else if (dropped > 0 && el.scrollTop > 0) {
      // Old lines fell off the front: move up with them so the lines being read stay put.
      el.scrollTop = Math.max(0, el.scrollTop - dropped * ROW_H);
    }
  }, [version, count, follow, view]);

  // Only the user's own scrolling (wheel, keys, dragging the scrollbar) moves the follow toggle:
  // our writes, front drops and the browser's clamping fire scroll events too.
  const userScroll = useRef({ until: 0, pointer: false });
  const markUser = () => {
    userScroll.current.until = performance.now() + USER_SCROLL_MS;
  };
  useEffect(() => {
    const up = () => {
      userScroll.current.pointer = false;
    };
    window.addEventListener('pointerup', up);
    return () => window.removeEventListener('pointerup', up);
  }, []);
  const onScroll = () => {
    const el = scrollRef.current;
    const u = userScroll.current;
    if (!el || !(u.pointer || performance.now() < u.until)) return;
    const fromBottom = el.scrollHeight - el.clientHeight - el.scrollTop;
    if (fromBottom > ROW_H * 2) setFollow(false);
    else if (fromBottom <= 2) setFollow(true);
  };

  useImperativeHandle(
    ref,
    () => ({
      // One scrollTop write (rows have a fixed height). The virtualizer's scrollToIndex keeps
      // correcting over the next frames, which under a flood fights the user and the follow toggle.
      scrollToSeq(seq) {
        const el = scrollRef.current;
        if (!el) return;
        view.sync(buffer);
        const idx = view.rowIndexOf(seq);
        const top = Math.max(0, Math.min(idx * ROW_H - el.clientHeight / 2 + ROW_H / 2, view.rows.length * ROW_H - el.clientHeight));
        virtualizer.scrollOffset = top;
        el.scrollTop = top;
      },
      topSeq() {
        const el = scrollRef.current;
        return view.rows[Math.floor((el?.scrollTop ?? 0) / ROW_H)]?.seq ?? null;
      },
      visibleRows() {
        const el = scrollRef.current;
        if (!el) return [];
        const first = Math.ceil(el.scrollTop / ROW_H);
        return view.rows.slice(first, first + Math.floor(el.clientHeight / ROW_H));
      },
      contains(node) {
        return node !== null && (scrollRef.current?.contains(node) ?? false);
      },
    }),
    [view, buffer, virtualizer],
  );

  return (
    <section
      className="log-viewer"
      ref={scrollRef}
      onScroll={onScroll}
      onWheel={(e) => {
        markUser();
        if (e.deltaY < 0 && follow) setFollow(false);
      }}
      onPointerDown={() => {
        userScroll.current.pointer = true;
      }}
      onKeyDown={(e) => {
        markUser();
        if ((e.key === 'PageUp' || e.key === 'ArrowUp' || e.key === 'Home') && follow) setFollow(false);
      }}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scroll area must be focusable so keyboard users can scroll it
      tabIndex={0}
      aria-label="vLLM log"
      data-testid="log-viewer"
      data-follow={follow}
    >
      <div className="log-viewer__inner" style={{ height: virtualizer.getTotalSize() }}>
        {count === 0 && <p className="log-viewer__none">No line matches the filters.</p>}
        {virtualizer.getVirtualItems().map((it) => {
          const e = rows[it.index];
          if (!e) return null;
          return <LogLine key={it.key} entry={e} top={it.start} matcher={matcher} current={e.seq === current} flash={e.seq === flash} />;
        })}
      </div>
    </section>
  );
}

const LogLine = memo(function LogLine({
  entry,
  top,
  matcher,
  current,
  flash,
}: {
  entry: LogEntryDto;
  top: number;
  matcher: Matcher | null;
  current: boolean;
  flash: boolean;
}) {
  const text = entry.text.length > MAX_RENDERED_CHARS ? `${entry.text.slice(0, MAX_RENDERED_CHARS)} …` : entry.text;
  const ranges = matcher ? matcher.ranges(text) : [];
  const bucket = levelBucket(entry.level);
  return (
    <div
      className={`log-line log-line--${bucket}${ranges.length ? ' log-line--match' : ''}${current ? ' log-line--current' : ''}${flash ? ' log-line--flash' : ''}`}
      style={{ transform: `translateY(${top}px)` }}
      data-testid="log-line"
      data-seq={entry.seq}
      data-level={entry.level}
      data-proc={entry.proc}
    >
      {ranges.length === 0
        ? text || ' '
        : splitByRanges(text, ranges).map((p, i) =>
            p.mark ? (
              // biome-ignore lint/suspicious/noArrayIndexKey: parts of one immutable line, never reordered
              <mark key={i}>{p.text}</mark>
            ) : (
              p.text
            ),
          )}
    </div>
  );
});

/** The async Clipboard API where allowed (secure context), else the old execCommand route. */
async function writeClipboard(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.appendChild(ta);
    ta.select();
    let ok = false;
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
    ta.remove();
    return ok;
  }
}
