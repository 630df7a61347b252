import type { CursorPaging } from '../lib/cursor-paging.ts';

/** Previous/next for a list the api pages by cursor (it does not say how many there are in all). */
export function CursorPagination({
  paging,
  nextCursor,
  label,
}: {
  paging: CursorPaging;
  nextCursor: string | null | undefined;
  label: string;
}) {
  if (paging.pageNumber === 1 && (nextCursor === null || nextCursor === undefined)) return null;
  return (
    <nav className="pagination" aria-label={`${label} pages`}>
      <button type="button" className="secondary" onClick={paging.previous} disabled={paging.pageNumber <= 1}>
        Previous
      </button>
      <span aria-live="polite">Page {paging.pageNumber}</span>
      <button
        type="button"
        className="secondary"
        onClick={() => (nextCursor ? paging.next(nextCursor) : undefined)}
        disabled={nextCursor === null || nextCursor === undefined}
      >
        Next
      </button>
    </nav>
  );
}
