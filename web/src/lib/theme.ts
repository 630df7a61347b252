/**
 * Light or dark: the visitor's choice, remembered in localStorage (a preference, never a secret);
 * without one, the system's prefers-color-scheme decides (in CSS, so there is no flash before load).
 */
export type Theme = 'light' | 'dark';
const STORAGE_KEY = 'portcullis.theme';

export function storedTheme(): Theme | null {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return value === 'light' || value === 'dark' ? value : null;
  } catch {
    return null;
  }
}

export function systemTheme(): Theme {
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function currentTheme(): Theme {
  return storedTheme() ?? systemTheme();
}

/** Sets the attribute the stylesheet keys on; with no stored choice the attribute is left off. */
export function applyTheme(theme: Theme | null): void {
  if (theme === null) delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}

export function saveTheme(theme: Theme): void {
  try {
    localStorage.setItem(STORAGE_KEY, theme);
  } catch {
    // Storage refused (private mode, policy): the choice lasts for this page only.
  }
  applyTheme(theme);
}
