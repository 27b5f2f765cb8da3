/**
 * Finding one row of a newest-first, page-numbered list that has no show endpoint (CloudMailin's
 * incoming statuses and custom domains), so that `node(id)` never answers a silent null.
 *
 * With the row's creation time (carried in its global id) the page is found by galloping (pages 1, 2,
 * 4, 8…) and then bisecting on the rows' times: about 2·log2(depth) pages instead of `depth`. Without a
 * time, pages are read in order. Either way the walk stops at `maxPages` upstream pages with a
 * `TooExpensiveError` that says so, instead of pretending the row does not exist; `null` means the list
 * was searched where the row would be, and it is not there.
 */
import { NotFoundError, TooExpensiveError } from '../errors.js';

export interface LocateList<T> {
  fetchPage(page: number): Promise<T[]>;
  key(item: T): string;
  time(item: T): number | null;
}

export const MAX_LOCATE_PAGES = 12;

export async function locate<T>(
  list: LocateList<T>,
  key: string,
  time: number | null,
  maxPages = MAX_LOCATE_PAGES,
): Promise<T | null> {
  const pages = new Map<number, T[]>();
  let found: T | null = null;
  const read = async (page: number): Promise<T[]> => {
    const known = pages.get(page);
    if (known) return known;
    if (pages.size >= maxPages) {
      throw new TooExpensiveError(
        `Finding this object needs more than ${maxPages} upstream pages; look for it through its list instead.`,
      );
    }
    const rows = await list.fetchPage(page).catch((error: unknown) => {
      // Some servers answer a page past the end with 404: the list ends there.
      if (page > 1 && error instanceof NotFoundError) return [] as T[];
      throw error;
    });
    pages.set(page, rows);
    found ??= rows.find((row) => list.key(row) === key) ?? null;
    return rows;
  };
  const lastTime = (rows: T[]) => (rows.length ? list.time(rows[rows.length - 1] as T) : null);

  if (time === null) {
    for (let page = 1; ; page += 1) {
      const rows = await read(page);
      if (found || rows.length === 0) return found;
    }
  }

  // Gallop: `lo` is the deepest page known to hold only newer rows; `hi` a page at or past the row.
  let lo = 0;
  let hi = 1;
  for (;;) {
    const rows = await read(hi);
    if (found) return found;
    const last = lastTime(rows);
    if (rows.length === 0 || last === null || last <= time) break;
    lo = hi;
    hi *= 2;
  }
  // Bisect to the first page whose oldest row is not newer than the target.
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    const rows = await read(mid);
    if (found) return found;
    const last = lastTime(rows);
    if (rows.length === 0 || last === null || last <= time) hi = mid;
    else lo = mid;
  }
  // The row is on page `hi`, or on the next ones while rows of the very same time continue there.
  for (let page = hi; ; page += 1) {
    const rows = await read(page);
    if (found) return found;
    const last = lastTime(rows);
    if (rows.length === 0 || last === null || last < time) return null;
  }
}
