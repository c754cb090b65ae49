import { useEffect } from 'react';
import { pageForShortcut, useNavStore } from '../stores/nav-store';

/** Alt+1..5 / Ctrl+1..5 switch pages from anywhere in the window. */
export function useNavShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.repeat) return;
      const page = pageForShortcut(e);
      if (!page) return;
      e.preventDefault();
      useNavStore.getState().navigate(page);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
