/**
 * Server-side paging by cursor: the api answers a page and a `nextCursor`; going back needs the
 * cursors already followed, kept here as a stack. Changing the filters starts again at page one.
 */
import { useState } from 'react';

export type CursorPaging = {
  /** The cursor of the page to fetch; undefined for the first. */
  cursor: string | undefined;
  pageNumber: number;
  next: (nextCursor: string) => void;
  previous: () => void;
};

export function useCursorPaging(filterKey: string): CursorPaging {
  const [state, setState] = useState<{ filterKey: string; cursors: string[] }>({ filterKey, cursors: [] });
  const cursors = state.filterKey === filterKey ? state.cursors : [];
  return {
    cursor: cursors.at(-1),
    pageNumber: cursors.length + 1,
    next: (nextCursor) => setState({ filterKey, cursors: [...cursors, nextCursor] }),
    previous: () => setState({ filterKey, cursors: cursors.slice(0, -1) }),
  };
}
