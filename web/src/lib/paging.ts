/** Client-side filtering and pagination for the lists the api returns whole. */
import { useMemo, useState } from 'react';

export const PAGE_SIZE = 20;

export type Paged<T> = {
  items: T[];
  page: number;
  pageCount: number;
  total: number;
  setPage: (page: number) => void;
};

/** The page of `items` matching `filter`; changing the filter's inputs returns to the first page. */
export function usePaged<T>(items: readonly T[], filter: (item: T) => boolean, filterKey: string, pageSize = PAGE_SIZE): Paged<T> {
  const [state, setState] = useState({ page: 1, filterKey });
  const page = state.filterKey === filterKey ? state.page : 1;
  const matching = useMemo(() => items.filter(filter), [items, filter]);
  const pageCount = Math.max(1, Math.ceil(matching.length / pageSize));
  const current = Math.min(page, pageCount);
  return {
    items: matching.slice((current - 1) * pageSize, current * pageSize),
    page: current,
    pageCount,
    total: matching.length,
    setPage: (next) => setState({ page: Math.max(1, Math.min(next, pageCount)), filterKey }),
  };
}
