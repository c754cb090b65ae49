import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { applyTheme, initialResolvedTheme, safeLocalStorage } from './components/use-theme';
import { bootstrap, wireHashRouting } from './stores/bootstrap';
import { useSettingsStore } from './stores/settings-store';
import { readCachedTheme } from './stores/theme';
import './styles/tokens.css';
import './styles/base.css';
import './styles/layout.css';
import './styles/components.css';

// First paint in the last known theme; the real setting arrives over the transport.
const cachedTheme = readCachedTheme(safeLocalStorage());
useSettingsStore.setState({ initialTheme: cachedTheme });
applyTheme(initialResolvedTheme(cachedTheme), cachedTheme);

// Outside React so StrictMode's double effects cannot wire the transport twice.
wireHashRouting(window);
bootstrap();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
