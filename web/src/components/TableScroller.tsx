/**
 * The box a table scrolls sideways in on a narrow screen. Focusable, so a keyboard user can reach
 * and scroll a table wider than the screen (axe: scrollable-region-focusable); the table inside is
 * named by its caption.
 */
import type { ReactNode } from 'react';

export function TableScroller({ children }: { children: ReactNode }) {
  return (
    <div className="table-wrap" tabIndex={0}>
      {children}
    </div>
  );
}
