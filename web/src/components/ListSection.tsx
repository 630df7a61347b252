/**
 * The body of a client-side paged list: its error, loading and empty states, the table (one column
 * header per name, an unnamed actions column when asked) and the pagination under it.
 */
import type { ReactNode } from 'react';
import type { Paged } from '../lib/paging.ts';
import { ErrorMessage } from './ErrorMessage.tsx';
import { Loading } from './Loading.tsx';
import { Pagination } from './Pagination.tsx';
import { TableScroller } from './TableScroller.tsx';

/** What a list needs of its query (TanStack Query's result has these). */
export type ListQuery = { error: unknown; isPending: boolean; isSuccess: boolean };

type Props<T> = {
  query: ListQuery;
  paged: Paged<T>;
  /** The table's (hidden) caption and the pagination's label. */
  label: string;
  /** What is loading, in words: "Loading {loadingWhat}…". */
  loadingWhat: string;
  /** Said when no row is shown: the list is empty, or nothing matches the filters. */
  emptyMessage: string;
  columns: readonly string[];
  /** Adds a last column, its header only for screen readers ("Actions"). */
  withActions?: boolean;
  tableClassName?: string;
  /** The rows of the current page. */
  children: ReactNode;
};

export function ListSection<T>({
  query,
  paged,
  label,
  loadingWhat,
  emptyMessage,
  columns,
  withActions = false,
  tableClassName,
  children,
}: Props<T>) {
  return (
    <>
      <ErrorMessage error={query.error} />
      {query.isPending ? <Loading what={loadingWhat} /> : null}
      {query.isSuccess && paged.total === 0 ? <p>{emptyMessage}</p> : null}
      {paged.total > 0 ? (
        <TableScroller>
          <table className={tableClassName}>
            <caption className="visually-hidden">{label}</caption>
            <thead>
              <tr>
                {columns.map((column) => (
                  <th key={column} scope="col">
                    {column}
                  </th>
                ))}
                {withActions ? (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>{children}</tbody>
          </table>
        </TableScroller>
      ) : null}
      <Pagination paged={paged} label={label} />
    </>
  );
}
