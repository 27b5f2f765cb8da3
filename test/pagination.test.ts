import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NotFoundError, TooExpensiveError } from '../src/errors.js';
import { locate } from '../src/schema/locate.js';
import {
  type Connection,
  type UpstreamList,
  findAnchor,
  isLastPage,
  paginateUpstream,
} from '../src/schema/pagination.js';

interface Row {
  id: string;
  at: number;
}

/** A newest-first, page-numbered upstream list, as CloudMailin serves incoming statuses. */
class FakeUpstream {
  rows: Row[];
  fetches = 0;
  private next: number;

  constructor(
    count: number,
    readonly pageSize: number,
    readonly honoursPage = true,
  ) {
    this.rows = Array.from({ length: count }, (_, i) => ({ id: `r${count - i}`, at: 1_000 + count - i }));
    this.next = count + 1;
  }

  arrive(n: number): void {
    for (let i = 0; i < n; i += 1) {
      this.rows.unshift({ id: `r${this.next}`, at: 1_000 + this.next });
      this.next += 1;
    }
  }

  remove(id: string): void {
    this.rows = this.rows.filter((row) => row.id !== id);
  }

  list(identity = 'fake?x', onFetch: () => void = () => {}): UpstreamList<Row> {
    return {
      identity,
      paged: true,
      key: (row) => row.id,
      time: (row) => row.at,
      fetchPage: async (page) => {
        this.fetches += 1;
        const start = this.honoursPage ? (page - 1) * this.pageSize : 0;
        const rows = this.rows.slice(start, start + this.pageSize);
        onFetch();
        return rows;
      },
    };
  }
}

async function walk(
  upstream: FakeUpstream,
  first: number,
  between: () => void,
  identity?: string,
): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (let round = 0; round < 500; round += 1) {
    const page: Connection<Row> = await paginateUpstream(upstream.list(identity), { first, after });
    ids.push(...page.edges.map((edge) => edge.node.id));
    if (!page.pageInfo.hasNextPage) return ids;
    after = page.pageInfo.endCursor;
    between();
  }
  throw new Error('did not end');
}

describe('paginateUpstream', () => {
  it('walks a list that grows between requests without repeating or skipping a row (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 120 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 20 }),
        async (count, pageSize, first, arrivals) => {
          const upstream = new FakeUpstream(count, pageSize);
          const snapshot = upstream.rows.map((row) => row.id);
          let i = 0;
          const ids = await walk(
            upstream,
            first,
            () => upstream.arrive(arrivals[i++ % arrivals.length] ?? 0),
            `p${pageSize}`,
          );
          expect(ids).toEqual(snapshot);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('does not repeat rows that shift onto the next page while one request reads two pages', async () => {
    const upstream = new FakeUpstream(50, 10);
    const snapshot = upstream.rows.map((row) => row.id);
    // Three new rows arrive after each upstream fetch, inside a single GraphQL request.
    const page = await paginateUpstream(
      upstream.list('shift?x', () => upstream.arrive(3)),
      { first: 25 },
    );
    const ids = page.edges.map((edge) => edge.node.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(snapshot.slice(0, 25));
  });

  it('ends the list when the server ignores the deprecated page parameter', async () => {
    const upstream = new FakeUpstream(8, 8, false);
    const page = await paginateUpstream(upstream.list('ignores?x'), { first: 20 });
    expect(page.edges.map((edge) => edge.node.id)).toEqual(upstream.rows.map((row) => row.id));
    expect(page.pageInfo.hasNextPage).toBe(false);
    expect(upstream.fetches).toBe(2);
  });

  it('ends the list when the server answers 404 for a page past the end', async () => {
    const upstream = new FakeUpstream(20, 10);
    const list = upstream.list('strict?x');
    const strict = {
      ...list,
      fetchPage: async (page: number) => {
        const rows = await list.fetchPage(page);
        if (rows.length === 0) throw new NotFoundError('no such page', 'Page', String(page));
        return rows;
      },
    };
    const all = await paginateUpstream(strict, { first: 30 });
    expect(all.edges.map((edge) => edge.node.id)).toEqual(upstream.rows.map((row) => row.id));
    expect(all.pageInfo.hasNextPage).toBe(false);
    const missingFirstPage = {
      ...strict,
      fetchPage: async () => Promise.reject(new NotFoundError('gone', 'Address', 'x')),
    };
    await expect(paginateUpstream(missingFirstPage, { first: 5 })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('resumes after a deleted anchor with the older rows, also when deletions moved it up a page', async () => {
    const upstream = new FakeUpstream(40, 10);
    const first = await paginateUpstream(upstream.list(), { first: 15 });
    const anchor = first.edges.at(-1)?.node.id ?? '';
    const expected = upstream.rows.slice(15, 20).map((row) => row.id);
    upstream.remove(anchor);
    for (const row of upstream.rows.slice(0, 6)) upstream.remove(row.id);
    const next = await paginateUpstream(upstream.list(), { first: 5, after: first.pageInfo.endCursor });
    expect(next.edges.map((edge) => edge.node.id)).toEqual(expected);
  });

  it('reports hasNextPage after a full page without fetching the next one', async () => {
    const upstream = new FakeUpstream(40, 20);
    const page = await paginateUpstream(upstream.list('full?x'), { first: 20 });
    expect(page.edges).toHaveLength(20);
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(upstream.fetches).toBe(1);
  });
});

describe('locating the cursor’s row in one page (pure)', () => {
  const list = { key: (row: Row) => row.id, time: (row: Row) => row.at };
  const page = (...rows: Array<[string, number]>) => rows.map(([id, at]) => ({ id, at }));
  const anchor = { key: 'c', time: 30 };

  it('finds the row and resumes after it', () => {
    expect(
      findAnchor(page(['d', 40], ['c', 30], ['b', 20]), anchor, list, { page: 2, steppedBack: false }),
    ).toEqual({
      kind: 'found',
      from: 2,
    });
  });

  it('walks on when every row is newer (new mail pushed the row down)', () => {
    expect(findAnchor(page(['f', 60], ['e', 50]), anchor, list, { page: 1, steppedBack: false })).toEqual({
      kind: 'newer',
    });
  });

  it('steps back once when the page already starts older (rows above were removed)', () => {
    const older = page(['b', 20], ['a', 10]);
    expect(findAnchor(older, anchor, list, { page: 3, steppedBack: false })).toEqual({ kind: 'step-back' });
    expect(findAnchor(older, anchor, list, { page: 3, steppedBack: true })).toEqual({
      kind: 'gone',
      older: [0, 1],
    });
    expect(findAnchor(older, anchor, list, { page: 1, steppedBack: false })).toEqual({
      kind: 'gone',
      older: [0, 1],
    });
  });

  it('resumes with what is strictly older when the row itself is gone', () => {
    expect(
      findAnchor(page(['d', 40], ['x', 30], ['b', 20]), anchor, list, { page: 1, steppedBack: false }),
    ).toEqual({
      kind: 'gone',
      older: [2],
    });
  });

  it('cannot tell without times', () => {
    expect(
      findAnchor(page(['d', 40]), { key: 'c', time: null }, list, { page: 1, steppedBack: false }),
    ).toEqual({ kind: 'unknown' });
    expect(findAnchor(page(['d', 40]), anchor, { key: list.key }, { page: 1, steppedBack: false })).toEqual({
      kind: 'unknown',
    });
  });

  it('ends a list at an empty, short or repeated page, never at a full new one', () => {
    const key = (row: Row) => row.id;
    const seen = new Set(['a', 'b']);
    const options = { paged: true, longest: 2, seen: new Set<string>(), key };
    expect(isLastPage([], options)).toBe(true);
    expect(isLastPage(page(['c', 3]), options)).toBe(true);
    expect(isLastPage(page(['c', 3], ['d', 4]), options)).toBe(false);
    expect(isLastPage(page(['a', 1], ['b', 2]), { ...options, seen })).toBe(true);
    expect(isLastPage(page(['c', 3], ['d', 4]), { ...options, paged: false })).toBe(true);
  });
});

describe('finding one row without a show endpoint (node lookups)', () => {
  /** `count` rows newest first, `size` to a page, with a log of the pages read. */
  function rows(count: number, size: number) {
    const all = Array.from({ length: count }, (_, i) => ({ id: `r${i}`, at: (count - i) * 1000 }));
    const reads: number[] = [];
    return {
      all,
      reads,
      list: {
        key: (row: Row) => row.id,
        time: (row: Row) => row.at,
        fetchPage: async (n: number) => {
          reads.push(n);
          return all.slice((n - 1) * size, n * size);
        },
      },
    };
  }

  it('finds any row of a long list by its time in about 2·log2(depth) page reads (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 30 }),
        fc.nat(),
        async (count, size, pick) => {
          const { all, reads, list } = rows(count, size);
          const target = all[pick % count] as Row;
          const found = await locate(list, target.id, target.at, 50);
          expect(found).toEqual(target);
          const depth = Math.floor((pick % count) / size) + 1;
          expect(reads.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(depth + 1)) + 2);
        },
      ),
    );
  });

  it('answers null only after looking where the row would be, and refuses to look too far', async () => {
    const { list } = rows(100, 10);
    expect(await locate(list, 'gone', 55_000)).toBeNull();
    await expect(locate(list, 'r99', null, 5)).rejects.toBeInstanceOf(TooExpensiveError);
    expect(await locate(list, 'r42', null, 12)).toEqual({ id: 'r42', at: 58_000 });
  });
});
