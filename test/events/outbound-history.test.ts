/**
 * How the log's events combine with what CloudMailin answered earlier, and how messages sent through
 * mailgraph are laid over a cached list page: pure functions, no I/O but a hand-written page fetcher.
 */
import { describe, expect, it } from 'vitest';
import {
  type LoggedEvent,
  OutboundDirectory,
  type RecipientLog,
  isLaidOnTop,
  latestKind,
  laySentOnTop,
  mergeEvents,
  messageFromLog,
  withSentOnFirstPage,
} from '../../src/events/outbound-history.js';
import { type Connection, paginateUpstream, walkMemory } from '../../src/schema/pagination.js';
import type { OutboundMessage } from '../../src/upstream/cloudmailin-wire.js';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 21, 12, minute)).toISOString();
const logged = (kind: string, minute: number | null, receivedMinute = 59): LoggedEvent => ({
  kind,
  timestamp: minute === null ? null : at(minute),
  receivedAt: Date.parse(at(receivedMinute)),
  details: null,
});
const history = (fromRegistration: boolean, ...events: LoggedEvent[]): RecipientLog => ({
  events,
  fromRegistration,
});

describe('mergeEvents', () => {
  const shown = [
    { kind: 'registration', timestamp: at(0) },
    { kind: 'dispatch', timestamp: at(1) },
  ];

  it('adds what the log holds beyond the shown history, in time order, and nothing twice', () => {
    const merged = mergeEvents(shown, [logged('delivery', 3), logged('dispatch', 1), logged('open', 2)]);
    expect(merged.map((e) => [e.kind, e.timestamp])).toEqual([
      ['registration', at(0)],
      ['dispatch', at(1)],
      ['open', at(2)],
      ['delivery', at(3)],
    ]);
  });

  it('keeps the shown history as it is when the log adds nothing', () => {
    expect(mergeEvents(shown, [logged('registration', 0)])).toEqual(shown);
  });

  it('takes a logged event without a provider time as one shown event of its kind, else dates it by its storing', () => {
    const merged = mergeEvents(shown, [logged('dispatch', null), logged('dispatch', null, 30)]);
    expect(merged.map((e) => [e.kind, e.timestamp])).toEqual([
      ['registration', at(0)],
      ['dispatch', at(1)],
      ['dispatch', at(30)],
    ]);
  });
});

describe('latestKind', () => {
  it('is the list’s kind when the log holds nothing for the recipient', () => {
    expect(latestKind('delivery', undefined)).toBe('delivery');
    expect(latestKind(null, undefined)).toBeNull();
  });

  it('is the log’s latest event over a list that predates it', () => {
    expect(latestKind('delivery', history(false, logged('open', 5)))).toBe('open');
    expect(latestKind('registration', history(true, logged('registration', 0), logged('dispatch', 1)))).toBe(
      'dispatch',
    );
  });

  it('keeps the list’s kind when the log holds the whole history but not that event yet', () => {
    expect(latestKind('delivery', history(true, logged('registration', 0), logged('dispatch', 1)))).toBe(
      'delivery',
    );
  });
});

describe('messageFromLog', () => {
  const summary = {
    id: 'm1',
    from: 'a@example.com',
    subject: 's',
    message_id: '<m1@cloudmta.net>',
    to: ['X@example.net'],
    cc: [],
    tags: [],
    test_mode: false,
    created_at: at(0),
    recipients: [{ email: 'X@example.net' }, { email: 'y@example.net' }],
  };

  it('builds the message only when every recipient is held from registration on', () => {
    const partial = new Map([['x@example.net', history(true, logged('registration', 0))]]);
    expect(messageFromLog(summary, partial)).toBeNull();
    const whole = new Map([
      ['x@example.net', history(true, logged('registration', 0), logged('delivery', 2))],
      ['y@example.net', history(true, logged('registration', 0))],
    ]);
    expect(messageFromLog(summary, whole)?.recipients).toEqual([
      {
        email: 'X@example.net',
        last_event: 'delivery',
        events: [
          { kind: 'registration', timestamp: at(0) },
          { kind: 'delivery', timestamp: at(2) },
        ],
      },
      {
        email: 'y@example.net',
        last_event: 'registration',
        events: [{ kind: 'registration', timestamp: at(0) }],
      },
    ]);
  });
});

describe('OutboundDirectory', () => {
  it('keeps the most recently used messages up to its limit, without their events', () => {
    const directory = new OutboundDirectory(2);
    const message = (id: string) => ({
      id,
      from: null,
      subject: null,
      message_id: null,
      created_at: null,
      recipients: [{ email: 'a@example.net', last_event: 'delivery', events: [] }],
    });
    directory.remember(message('a'));
    directory.remember(message('b'));
    directory.get('a');
    directory.remember(message('c'));
    expect(directory.get('b')).toBeUndefined();
    expect(directory.get('a')?.recipients).toEqual([{ email: 'a@example.net' }]);
    expect(directory.get('c')).toBeDefined();
  });
});

describe('messages sent through mailgraph, laid on top of a list page', () => {
  const row = (id: string, minute = 0): OutboundMessage => ({
    id,
    from: null,
    subject: id,
    message_id: null,
    created_at: at(minute),
    recipients: [{ email: `${id}@example.net`, last_event: null }],
  });

  it('lays the sent messages the page does not list on top, in the order given, and marks them', () => {
    const page = [row('b', 2), row('a', 1)];
    const sent = [row('d', 4), row('b', 2), row('c', 3)];
    const merged = laySentOnTop(page, sent);
    expect(merged.map((message) => message.id)).toEqual(['d', 'c', 'b', 'a']);
    // The page's own row of `b` is the provider's; only the others are laid on top.
    expect(merged.map(isLaidOnTop)).toEqual([true, true, false, false]);
    expect(merged[2]).toBe(page[0]);
    expect(laySentOnTop(page, [])).toEqual(page);
  });

  /** A provider list of `total` rows in pages of `size`, newest first, counting the pages fetched. */
  function provider(total: number, size: number) {
    const rows = Array.from({ length: total }, (_, i) => row(`r${i}`, 30 - i));
    const fetched: number[] = [];
    return {
      fetched,
      fetchPage: async (page: number) => {
        fetched.push(page);
        return rows.slice((page - 1) * size, page * size);
      },
    };
  }

  const list = (pages: ReturnType<typeof provider>, sent: OutboundMessage[], memory = walkMemory()) => ({
    identity: 'test',
    paged: true,
    key: (message: OutboundMessage) => message.id,
    time: (message: OutboundMessage) => Date.parse(message.created_at ?? ''),
    ...withSentOnFirstPage({ fetchPage: pages.fetchPage, pageSize: memory }, () => sent),
  });

  it('judges the end of the list on the provider’s rows: an empty first page ends it, and the page size learnt is theirs', async () => {
    const empty = provider(0, 3);
    const onEmpty = await paginateUpstream(list(empty, [row('s1', 40), row('s0', 39)]), { first: 5 });
    expect(onEmpty.edges.map((edge) => edge.node.id)).toEqual(['s1', 's0']);
    expect(onEmpty.pageInfo.hasNextPage).toBe(false);
    expect(empty.fetched).toEqual([1]);

    // A full first page with two rows on top: the provider's page size is 3, and page 2 is not short.
    const full = provider(5, 3);
    const memory = walkMemory();
    const answer = await paginateUpstream(list(full, [row('s1', 40), row('s0', 39)], memory), { first: 7 });
    expect(answer.edges.map((edge) => edge.node.id)).toEqual(['s1', 's0', 'r0', 'r1', 'r2', 'r3', 'r4']);
    expect(memory.longest()).toBe(3);
    expect(full.fetched).toEqual([1, 2]);
    expect(answer.pageInfo.hasNextPage).toBe(false);
  });

  it('walks on from a cursor on a row laid on top, and from one on a row it was laid over', async () => {
    const pages = provider(5, 3);
    const sent = [row('s1', 40), row('s0', 39)];
    const ids: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i += 1) {
      const answer: Connection<OutboundMessage> = await paginateUpstream(
        list(pages, sent),
        { first: 1, after },
        { exactEnd: true },
      );
      ids.push(...answer.edges.map((edge) => edge.node.id));
      if (!answer.pageInfo.hasNextPage) break;
      after = answer.pageInfo.endCursor;
    }
    expect(ids).toEqual(['s1', 's0', 'r0', 'r1', 'r2', 'r3', 'r4']);
  });
});
