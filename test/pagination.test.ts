import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../src/errors.js';
import { type Connection, type UpstreamList, paginateUpstream } from '../src/schema/pagination.js';

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
