/** Switches between light and dark; the choice is remembered on this device. */
import { useState } from 'react';
import { currentTheme, saveTheme, type Theme } from '../lib/theme.ts';

export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>(currentTheme);
  const next: Theme = theme === 'dark' ? 'light' : 'dark';
  return (
    <button
      type="button"
      className="secondary theme-toggle"
      aria-pressed={theme === 'dark'}
      onClick={() => {
        saveTheme(next);
        setTheme(next);
      }}
    >
      Dark theme
    </button>
  );
}
