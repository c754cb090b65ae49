import { selectTheme, useSettingsStore } from '../stores/settings-store';
import { nextTheme, THEME_LABEL } from '../stores/theme';
import { MonitorIcon, MoonIcon, SunIcon } from './icons';

const ICON = { system: MonitorIcon, dark: MoonIcon, light: SunIcon } as const;

export function ThemeToggle() {
  const theme = useSettingsStore(selectTheme);
  const cycleTheme = useSettingsStore((s) => s.cycleTheme);
  const Icon = ICON[theme];
  return (
    <button
      type="button"
      className="btn btn--ghost btn--sm"
      data-testid="theme-toggle"
      data-theme-setting={theme}
      aria-label={`Theme: ${THEME_LABEL[theme]}. Switch to ${THEME_LABEL[nextTheme(theme)]}.`}
      title={`Theme: ${THEME_LABEL[theme]} (click for ${THEME_LABEL[nextTheme(theme)]})`}
      onClick={() => void cycleTheme()}
    >
      <Icon />
      <span className="theme-toggle__label">{THEME_LABEL[theme]}</span>
    </button>
  );
}
