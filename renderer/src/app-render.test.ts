import { createElement, type FunctionComponent } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { App } from './App';
import { BenchPage } from './pages/BenchPage';
import { ChatPage } from './pages/ChatPage';
import { LaunchPage } from './pages/LaunchPage';
import { LogsPage } from './pages/LogsPage';
import { MetricsPage } from './pages/MetricsPage';
import { PAGES, type PageId } from './stores/nav-store';

// Renders the real component tree to HTML (no DOM needed) to check the structure the e2e tests
// and assistive tech rely on. Server rendering shows each store's *initial* state (zustand's
// server snapshot), so state-dependent views (banner, notices) are covered by the e2e run.
const html = (c: FunctionComponent) => renderToStaticMarkup(createElement(c));

describe('App frame (initial render)', () => {
  const app = html(App);

  it('has the landmarks, nav items, theme toggle and status bar with test ids', () => {
    for (const tag of ['<header', '<nav', '<main', '<footer']) expect(app).toContain(tag);
    for (const p of PAGES) expect(app).toContain(`data-testid="nav-${p.id}"`);
    for (const id of ['theme-toggle', 'status-bar', 'connection-state', 'server-start', 'server-stop', 'server-status']) {
      expect(app).toContain(`data-testid="${id}"`);
    }
    expect(app).toMatch(/data-testid="connection-state"[^>]*data-state="connecting"/);
  });

  it('opens on the Launch page, built from the GPU, profile and fit panels, with its nav item current', () => {
    expect(app).toContain('data-testid="page-launch"');
    for (const id of ['gpu-panel', 'profile-panel', 'fit-gauge']) expect(app).toContain(`data-testid="${id}"`);
    expect(app).toMatch(/data-testid="nav-launch"[^>]*aria-current="page"/);
    expect(app.match(/aria-current="page"/g)).toHaveLength(1);
  });

  it('nav items announce their keyboard shortcuts', () => {
    PAGES.forEach((p, i) => {
      expect(app).toMatch(new RegExp(`data-testid="nav-${p.id}"[^>]*aria-keyshortcuts="Alt\\+${i + 1} Control\\+${i + 1}"`));
    });
  });

  it('Start/Stop/Restart stay focusable while unavailable (aria-disabled) and say why in their title', () => {
    for (const id of ['server-start', 'server-stop', 'server-restart']) {
      const button = new RegExp(`<button[^>]*data-testid="${id}"[^>]*>`).exec(app)?.[0] ?? '';
      expect(button).toMatch(/aria-disabled="true"/);
      expect(button).not.toMatch(/\sdisabled=""/);
      // Not connected yet in the initial render: that is the reason given.
      expect(button).toMatch(/title="Not connected to the panel\."/);
    }
    expect(app).toMatch(/data-testid="server-status"[^>]*>idle</);
  });
});

describe('pages', () => {
  const pages: Record<PageId, FunctionComponent> = {
    launch: LaunchPage,
    logs: LogsPage,
    metrics: MetricsPage,
    chat: ChatPage,
    bench: BenchPage,
  };
  it.each(PAGES.map((p) => p.id))('%s renders its test id, a labelled heading and an empty state', (id) => {
    const out = html(pages[id]);
    expect(out).toMatch(new RegExp(`data-testid="page-${id}"[^>]*aria-labelledby="page-${id}-title"`));
    expect(out).toContain(`<h1 id="page-${id}-title"`);
    expect(out).toContain('class="empty-state"');
  });
});
