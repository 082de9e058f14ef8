import { useCallback, useState } from 'react';

export type Theme = 'system' | 'light' | 'dark';

const storageKey = 'shelf-theme';
const themes: readonly Theme[] = ['system', 'light', 'dark'];

export function storedTheme(): Theme {
  try {
    const value = localStorage.getItem(storageKey);
    return themes.includes(value as Theme) ? (value as Theme) : 'system';
  } catch {
    return 'system';
  }
}

/** `system` leaves the choice to prefers-color-scheme (see the `dark` variant in index.css). */
export function applyTheme(theme: Theme, root: HTMLElement = document.documentElement): void {
  root.classList.toggle('dark', theme === 'dark');
  root.classList.toggle('light', theme === 'light');
}

/** The theme setting and a setter that applies and remembers it. */
export function useTheme(): [Theme, (theme: Theme) => void] {
  const [theme, setThemeState] = useState(storedTheme);
  const setTheme = useCallback((next: Theme) => {
    applyTheme(next);
    try {
      localStorage.setItem(storageKey, next);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
    setThemeState(next);
  }, []);
  return [theme, setTheme];
}
