/**
 * Relay connections over the providers' page-number lists.
 *
 * CloudMailin lists are newest first and only offer `page=N` with an undocumented page size. New items
 * arrive at the top and shift every page down, so "page N" returns rows already seen and an offset cursor
 * would repeat or skip them. A cursor here names its item instead (key, timestamp and the page it was
 * last seen on): the next request starts at that page, walks forward while the rows are still newer
 * than the cursor, and resumes right after the item. No row is repeated and none is skipped, however
 * many arrive between two requests. When the item itself was deleted, the rows strictly older than it
 * are taken.
 *
 * A page shorter than the longest page seen for that list ends it (the page size is not documented, so
 * it is learned). `hasNextPage` is exact: when the client reads it, one item more than asked for is
 * collected, which costs the next upstream page only when this page ends exactly where a provider page
 * ends (that page is then cached for the next request). When the client does not read it, nothing extra
 * is fetched.
 */
import { createHash } from 'node:crypto';
import { NotFoundError, ValidationError } from '../errors.js';
import type { PageSizeMemory } from '../upstream/core.js';

export interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
}

export interface PageOptions {
  /** Whether `hasNextPage` must be exact (the client reads it); see above. */
  exactEnd?: boolean;
}

export interface Connection<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

/** A memory that lasts one walk, for lists whose page size nobody shares. */
export function walkMemory(): PageSizeMemory {
  let longest = 0;
  return {
    longest: () => longest,
    saw: (length) => {
      longest = Math.max(longest, length);
    },
  };
}

export interface UpstreamList<T> {
  /** The list and its filters. A cursor is only valid on the list that issued it. */
  identity: string;
  /** Fetches page `page` (1-based). Lists that are not paged upstream ignore the number. */
  fetchPage(page: number): Promise<T[]>;
  /** Whether the upstream list is paged at all (CloudMailin's address list is not). */
  paged: boolean;
  key(item: T): string;
  /** The item's creation time in ms, when the list is ordered newest first by it. */
  time?(item: T): number | null;
  /** The longest page seen on this route (kept per credential scope by the client); one walk's by default. */
  pageSize?: PageSizeMemory;
}

interface Cursor {
  /** Short hash of the list identity. */
  l: string;
  /** Item key. */
  k: string;
  /** Item time (ms) or null. */
  t: number | null;
  /** Page the item was seen on. */
  p: number;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
/** How far a cursor may have drifted (in upstream pages) before we give up looking for it. */
const MAX_PAGES_SCANNED = 50;
const MAX_CURSOR_LENGTH = 1024;

function identityHash(identity: string): string {
  return createHash('sha256').update(identity).digest('base64url').slice(0, 12);
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(raw: string, identity: string, argName: string): Cursor {
  const refuse = (message: string) => new ValidationError(message, [{ path: argName, message }]);
  if (raw.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(raw))
    throw refuse('Not a cursor of this API.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw refuse('Not a cursor of this API.');
  }
  const cursor = parsed as Partial<Cursor> | null;
  if (
    typeof cursor !== 'object' ||
    cursor === null ||
    typeof cursor.l !== 'string' ||
    typeof cursor.k !== 'string' ||
    !(cursor.t === null || Number.isFinite(cursor.t)) ||
    !Number.isSafeInteger(cursor.p) ||
    (cursor.p as number) < 1
  ) {
    throw refuse('Not a cursor of this API.');
  }
  if (cursor.l !== identityHash(identity)) {
    throw refuse('This cursor belongs to another list or other filters; start again without it.');
  }
  return cursor as Cursor;
}

export function pageSizeOf(args: ConnectionArgs): number {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    const message = `first must be between 1 and ${MAX_PAGE_SIZE}.`;
    throw new ValidationError(message, [{ path: 'first', message }]);
  }
  return first;
}

/** Where the cursor's row is, judged from one page of the list (pure: no I/O). */
export type AnchorFinding =
  /** The row is on this page; what follows it (from `from`) comes next. */
  | { kind: 'found'; from: number }
  /** Every row here is newer than the cursor: new rows pushed it further down. */
  | { kind: 'newer' }
  /** Rows were removed above and the row moved up a page: look at the page before, once. */
  | { kind: 'step-back' }
  /** The row is gone: what is strictly older than it (these indexes) comes next. */
  | { kind: 'gone'; older: number[] }
  /** Nothing on this page says where the row is (no times): look further. */
  | { kind: 'unknown' };

export function findAnchor<T>(
  items: readonly T[],
  anchor: { key: string; time: number | null },
  list: Pick<UpstreamList<T>, 'key' | 'time'>,
  options: { page: number; steppedBack: boolean },
): AnchorFinding {
  const index = items.findIndex((item) => list.key(item) === anchor.key);
  if (index >= 0) return { kind: 'found', from: index + 1 };
  const anchorTime = anchor.time;
  if (anchorTime === null || !list.time || items.length === 0) return { kind: 'unknown' };
  const times = items.map((item) => list.time?.(item) ?? null);
  if (times.every((t) => t !== null && t >= anchorTime)) return { kind: 'newer' };
  const firstTime = times[0];
  if (!options.steppedBack && options.page > 1 && firstTime != null && firstTime < anchorTime) {
    return { kind: 'step-back' };
  }
  const older = times.flatMap((t, i) => (t !== null && t < anchorTime ? [i] : []));
  return { kind: 'gone', older };
}

/** Whether `items` ends the list: an empty or short page, or one that brings nothing new (pure). */
export function isLastPage<T>(
  items: readonly T[],
  options: { paged: boolean; longest: number; seen: ReadonlySet<string>; key: (item: T) => string },
): boolean {
  // A page that brings nothing new means the server ignores `page` (it is deprecated): the list ends.
  const repeated = items.length > 0 && items.every((item) => options.seen.has(options.key(item)));
  return !options.paged || items.length === 0 || items.length < options.longest || repeated;
}

export async function paginateUpstream<T>(
  list: UpstreamList<T>,
  args: ConnectionArgs,
  options: PageOptions = {},
): Promise<Connection<T>> {
  const first = pageSizeOf(args);
  // One item beyond the page tells whether another exists.
  const wanted = options.exactEnd ? first + 1 : first;
  const anchor = args.after ? decodeCursor(args.after, list.identity, 'after') : null;
  const listHash = identityHash(list.identity);
  const memory = list.pageSize ?? walkMemory();

  const collected: Array<{ item: T; page: number }> = [];
  // Keys met on earlier pages of this request: rows that shifted onto the next page are not repeated.
  const seen = new Set<string>();
  const take = (item: T, onPage: number) => {
    if (!seen.has(list.key(item))) collected.push({ item, page: onPage });
  };
  let page = anchor && list.paged ? anchor.p : 1;
  let anchorPassed = anchor === null;
  let steppedBack = false;
  let exhausted = false;

  for (let scanned = 0; collected.length < wanted; scanned += 1) {
    if (scanned >= MAX_PAGES_SCANNED) {
      if (!anchorPassed) throw staleCursor();
      break;
    }
    const items = await list.fetchPage(page).catch((error: unknown) => {
      // Some servers answer a page past the end with 404 rather than []: the list simply ends there.
      if (page > 1 && error instanceof NotFoundError) return [] as T[];
      throw error;
    });
    memory.saw(items.length);
    const lastPage = isLastPage(items, { paged: list.paged, longest: memory.longest(), seen, key: list.key });

    if (anchorPassed) {
      for (const item of items) take(item, page);
    } else if (anchor) {
      const finding = findAnchor(items, { key: anchor.k, time: anchor.t }, list, { page, steppedBack });
      if (finding.kind === 'found') {
        anchorPassed = true;
        for (const item of items.slice(finding.from)) take(item, page);
      } else if (finding.kind === 'step-back') {
        steppedBack = true;
        page -= 1;
        continue;
      } else if (finding.kind === 'gone') {
        anchorPassed = true;
        for (const i of finding.older) take(items[i] as T, page);
      } else if (finding.kind === 'unknown' && lastPage) {
        throw staleCursor();
      }
    }

    for (const item of items) seen.add(list.key(item));
    if (lastPage) {
      exhausted = true;
      break;
    }
    page += 1;
  }

  const edges = collected.slice(0, first).map(({ item, page: seenOn }) => ({
    cursor: encodeCursor({ l: listHash, k: list.key(item), t: list.time?.(item) ?? null, p: seenOn }),
    node: item,
  }));
  return {
    edges,
    pageInfo: {
      hasNextPage: collected.length > first || !exhausted,
      hasPreviousPage: anchor !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}

function staleCursor(): ValidationError {
  const message = 'The item this cursor points at no longer exists; start again without `after`.';
  return new ValidationError(message, [{ path: 'after', message }]);
}
