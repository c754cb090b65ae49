import { useEffect, useSyncExternalStore } from 'react';
import { selectTheme, useSettingsStore } from '../stores/settings-store';
import { type ResolvedTheme, resolveTheme, writeCachedTheme } from '../stores/theme';

const QUERY = '(prefers-color-scheme: dark)';

function subscribeSystem(cb: () => void): () => void {
  const mq = globalThis.matchMedia?.(QUERY);
  mq?.addEventListener('change', cb);
  return () => mq?.removeEventListener('change', cb);
}
const systemPrefersDark = () => globalThis.matchMedia?.(QUERY).matches ?? true;

/** Sets `<html data-theme>` (the CSS keys off it); `system` follows the OS live. */
export function applyTheme(resolved: ResolvedTheme, setting: string): void {
  const el = document.documentElement;
  el.dataset.theme = resolved;
  el.dataset.themeSetting = setting;
}

export function useApplyTheme(): void {
  const theme = useSettingsStore(selectTheme);
  const loaded = useSettingsStore((s) => s.settings !== null);
  const dark = useSyncExternalStore(subscribeSystem, systemPrefersDark, systemPrefersDark);
  useEffect(() => {
    applyTheme(resolveTheme(theme, dark), theme);
    // Only the core's answer is worth remembering for the next first paint.
    if (loaded) writeCachedTheme(safeLocalStorage(), theme);
  }, [theme, dark, loaded]);
}

export function initialResolvedTheme(setting: Parameters<typeof resolveTheme>[0]): ResolvedTheme {
  return resolveTheme(setting, systemPrefersDark());
}

/** localStorage, or undefined where reading it throws (storage disabled, opaque origins). */
export function safeLocalStorage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}
