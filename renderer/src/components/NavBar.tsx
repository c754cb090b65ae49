import type { JSX, MouseEvent } from 'react';
import { hashForPage, PAGES, type PageId, shortcutLabel, useNavStore } from '../stores/nav-store';
import { BenchIcon, ChatIcon, LaunchIcon, LogsIcon, MetricsIcon } from './icons';

const ICONS: Record<PageId, () => JSX.Element> = {
  launch: LaunchIcon,
  logs: LogsIcon,
  metrics: MetricsIcon,
  chat: ChatIcon,
  bench: BenchIcon,
};

export function NavBar() {
  const page = useNavStore((s) => s.page);
  const navigate = useNavStore((s) => s.navigate);
  return (
    <nav className="app-nav" aria-label="Pages">
      <ul className="app-nav__list">
        {PAGES.map((p, i) => {
          const Icon = ICONS[p.id];
          const current = p.id === page;
          const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
            // Let modified clicks open a new tab in the web shell.
            if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
            e.preventDefault();
            navigate(p.id);
          };
          return (
            <li key={p.id}>
              <a
                href={hashForPage(p.id)}
                className="app-nav__item"
                data-testid={`nav-${p.id}`}
                aria-current={current ? 'page' : undefined}
                aria-keyshortcuts={`Alt+${i + 1} Control+${i + 1}`}
                title={`${p.label} — ${p.description} (${shortcutLabel(i)})`}
                onClick={onClick}
              >
                <Icon />
                <span className="app-nav__label">{p.label}</span>
                <kbd className="app-nav__kbd">{shortcutLabel(i)}</kbd>
              </a>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
