import { create } from 'zustand';

/** The pages of the app, in navigation order (the order also gives the Alt/Ctrl+N shortcut). */
export const PAGES = [
  { id: 'launch', label: 'Launch', description: 'GPUs, profiles and flags' },
  { id: 'logs', label: 'Logs', description: 'vLLM output, live' },
  { id: 'metrics', label: 'Metrics', description: 'Throughput, latency, cache, GPUs' },
  { id: 'chat', label: 'Chat', description: 'Talk to the running model' },
  { id: 'bench', label: 'Benchmark', description: 'Compare profiles under load' },
] as const;

export type PageId = (typeof PAGES)[number]['id'];
export const DEFAULT_PAGE: PageId = 'launch';

const pageIds: ReadonlySet<string> = new Set(PAGES.map((p) => p.id));
export const isPageId = (s: string): s is PageId => pageIds.has(s);

/**
 * `#/logs` → logs. Anything after the page (`#/chat/abc`) is left for the page itself; an
 * empty or unknown hash falls back to the Launch page.
 */
export function pageFromHash(hash: string): PageId {
  const first = hash.replace(/^#\/?/, '').split(/[/?]/, 1)[0] ?? '';
  return isPageId(first) ? first : DEFAULT_PAGE;
}

export const hashForPage = (page: PageId): string => `#/${page}`;

/** What `pageForShortcut` needs from a KeyboardEvent. */
export interface KeyLike {
  key: string;
  code?: string;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
}

/**
 * Alt+1..5 or Ctrl+1..5 → page. Exactly one of Alt/Ctrl: Ctrl+Alt is AltGr on many European
 * layouts and types characters. `code` is checked first so non-US layouts (where the digit row
 * gives other characters with a modifier) still work.
 */
export function pageForShortcut(e: KeyLike): PageId | null {
  if (e.altKey === e.ctrlKey || e.metaKey || e.shiftKey) return null;
  const digit = /^Digit([1-9])$/.exec(e.code ?? '')?.[1] ?? (/^[1-9]$/.test(e.key) ? e.key : undefined);
  if (!digit) return null;
  return PAGES[Number(digit) - 1]?.id ?? null;
}

export const shortcutLabel = (index: number): string => `Alt+${index + 1}`;

interface NavState {
  page: PageId;
  /** Switches page and records it in the URL hash (so reload and back/forward keep it). */
  navigate(page: PageId): void;
  /** Follows the URL after back/forward or a hand-edited hash. */
  syncFromHash(hash: string): void;
}

/** Where `navigate` writes the hash; absent in tests without a window. */
const loc = (): { hash: string } | undefined => (globalThis as { location?: { hash: string } }).location;

export const useNavStore = create<NavState>()((set, get) => ({
  page: pageFromHash(loc()?.hash ?? ''),
  navigate(page) {
    const l = loc();
    if (l && pageFromHash(l.hash) !== page) l.hash = hashForPage(page);
    if (get().page !== page) set({ page });
  },
  syncFromHash(hash) {
    const page = pageFromHash(hash);
    if (get().page !== page) set({ page });
  },
}));
