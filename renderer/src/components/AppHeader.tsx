import { ServerControls } from '../features/server/ServerControls';
import { ThemeToggle } from './ThemeToggle';

export function AppHeader() {
  return (
    <header className="app-header" data-testid="app-header">
      <div className="brand">
        <svg className="brand__mark" width="20" height="20" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
          <rect x="1" y="1" width="18" height="18" rx="4" fill="var(--accent)" />
          <path d="M5.5 6l4.5 8 4.5-8" fill="none" stroke="var(--on-accent)" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
        <span className="brand__name">vLLM Panel</span>
      </div>
      <div className="app-header__center">
        <ServerControls />
      </div>
      <div className="app-header__right">
        <ThemeToggle />
      </div>
    </header>
  );
}
