/**
 * Keyset paging by primary key for the org export: each page is its own short tenant transaction
 * (the embedded database is one connection; a long export must not hold it), and the next page is
 * read only when the consumer asks (the stream pulls), so one page is in memory at a time. Paged on
 * `id` rather than a timestamp: ids are exact and unique, where a JavaScript Date would round a
 * timestamp's microseconds and skip or repeat rows at a page boundary.
 */
export type PageReader<Row> = (afterId: string | null, limit: number) => Promise<Row[]>;

export async function* pagesById<Row extends { id: string }>(read: PageReader<Row>, limit: number): AsyncGenerator<Row[]> {
  let after: string | null = null;
  for (;;) {
    const rows = await read(after, limit);
    if (rows.length > 0) yield rows;
    const last = rows.at(-1);
    if (rows.length < limit || last === undefined) return;
    after = last.id;
  }
}

/** Maps each page (a page may become several records, or a record with what belongs to it). */
export async function* mapPages<Row, Out>(
  pages: AsyncIterable<Row[]>,
  map: (rows: Row[]) => Promise<Out[]> | Out[],
): AsyncGenerator<Out[]> {
  for await (const rows of pages) yield await map(rows);
}
