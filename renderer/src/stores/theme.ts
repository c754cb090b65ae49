import type { Theme } from '../contract';

export type ResolvedTheme = 'dark' | 'light';

/** The toggle's cycle: system → dark → light → system. */
export function nextTheme(t: Theme): Theme {
  return t === 'system' ? 'dark' : t === 'dark' ? 'light' : 'system';
}

export function resolveTheme(t: Theme, systemPrefersDark: boolean): ResolvedTheme {
  if (t === 'system') return systemPrefersDark ? 'dark' : 'light';
  return t;
}

export const THEME_LABEL: Record<Theme, string> = { system: 'System', dark: 'Dark', light: 'Light' };

/**
 * The last theme setting, cached in localStorage so the first paint already has the right
 * colours (settings arrive over the transport a moment later). Best effort: storage may be off.
 */
const CACHE_KEY = 'vllm-panel.theme';

export function readCachedTheme(storage: Pick<Storage, 'getItem'> | undefined): Theme {
  try {
    const v = storage?.getItem(CACHE_KEY);
    return v === 'dark' || v === 'light' || v === 'system' ? v : 'system';
  } catch {
    return 'system';
  }
}

export function writeCachedTheme(storage: Pick<Storage, 'setItem'> | undefined, t: Theme): void {
  try {
    storage?.setItem(CACHE_KEY, t);
  } catch {
    // storage disabled or full: the theme still applies, it just is not remembered for first paint
  }
}
