import { useTheme, type Theme } from '../../hooks/useTheme';

const next: Record<Theme, Theme> = { system: 'light', light: 'dark', dark: 'system' };
const icons: Record<Theme, string> = { system: '◐', light: '☀', dark: '☾' };

/** Cycles the theme: system → light → dark. */
export function ThemeToggle() {
  const [theme, setTheme] = useTheme();
  return (
    <button
      type="button"
      className="btn-secondary px-2"
      onClick={() => setTheme(next[theme])}
      aria-label={`Theme: ${theme}. Switch to ${next[theme]}.`}
      title={`Theme: ${theme}`}
    >
      <span aria-hidden="true">{icons[theme]}</span>
      <span className="hidden text-xs sm:inline">{theme}</span>
    </button>
  );
}
