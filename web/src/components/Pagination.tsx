import type { Paged } from '../lib/paging.ts';

/** Previous/next for a client-side paged list, with where you are in words. */
export function Pagination<T>({ paged, label }: { paged: Paged<T>; label: string }) {
  if (paged.total === 0) return null;
  return (
    <nav className="pagination" aria-label={`${label} pages`}>
      <button type="button" className="secondary" onClick={() => paged.setPage(paged.page - 1)} disabled={paged.page <= 1}>
        Previous
      </button>
      <span aria-live="polite">
        Page {paged.page} of {paged.pageCount} ({paged.total} {paged.total === 1 ? 'item' : 'items'})
      </span>
      <button type="button" className="secondary" onClick={() => paged.setPage(paged.page + 1)} disabled={paged.page >= paged.pageCount}>
        Next
      </button>
    </nav>
  );
}
