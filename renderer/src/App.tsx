import { type JSX, useEffect, useRef } from 'react';
import { AppHeader } from './components/AppHeader';
import { ConnectionBanner } from './components/ConnectionBanner';
import { ErrorBoundary } from './components/ErrorBoundary';
import { NavBar } from './components/NavBar';
import { StatusBar } from './components/StatusBar';
import { useNavShortcuts } from './components/use-shortcuts';
import { useApplyTheme } from './components/use-theme';
import { BenchPage } from './pages/BenchPage';
import { ChatPage } from './pages/ChatPage';
import { LaunchPage } from './pages/LaunchPage';
import { LogsPage } from './pages/LogsPage';
import { MetricsPage } from './pages/MetricsPage';
import { PAGES, type PageId, useNavStore } from './stores/nav-store';

const PAGE_COMPONENTS: Record<PageId, () => JSX.Element> = {
  launch: LaunchPage,
  logs: LogsPage,
  metrics: MetricsPage,
  chat: ChatPage,
  bench: BenchPage,
};

export function App() {
  useApplyTheme();
  useNavShortcuts();
  const page = useNavStore((s) => s.page);
  const mainRef = useRef<HTMLElement>(null);
  const PageView = PAGE_COMPONENTS[page];

  useEffect(() => {
    const label = PAGES.find((p) => p.id === page)?.label ?? '';
    document.title = `${label} · vLLM Panel`;
    // A new page starts at its top, not where the last one was scrolled to.
    mainRef.current?.scrollTo?.({ top: 0 });
  }, [page]);

  return (
    <div className="app" data-testid="app-root">
      <button type="button" className="skip-link" onClick={() => mainRef.current?.focus()}>
        Skip to content
      </button>
      <AppHeader />
      <NavBar />
      <main className="app-main" id="main" ref={mainRef} tabIndex={-1} data-page={page}>
        <ConnectionBanner />
        <ErrorBoundary resetKey={page}>
          <PageView />
        </ErrorBoundary>
      </main>
      <StatusBar />
    </div>
  );
}
