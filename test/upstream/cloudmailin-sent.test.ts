/**
 * What a CloudMailin send leaves behind in this process (src/upstream/cloudmailin-sent.ts): the ledger of
 * accepted sends that the graph lays over the cached first page, and the other list pages a send drops.
 * Pure: a hand-moved clock.
 */
import { describe, expect, it } from 'vitest';
import { OutdatedLists, SentLedger } from '../../src/upstream/cloudmailin-sent.js';

const sent = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  from: 'a@example.com',
  to: ['b@example.net'],
  ...extra,
});

describe('SentLedger', () => {
  it('keeps accepted sends newest first (the later first on a tie), never one in test mode', () => {
    const clock = { now: 1_000 };
    const ledger = new SentLedger({ now: () => clock.now, maxAgeMs: 60_000 });
    ledger.record(sent('a'));
    ledger.record(sent('b'));
    ledger.record(sent('t', { test_mode: true }));
    clock.now += 1;
    ledger.record(sent('c'));
    expect(ledger.recent().map((record) => [record.message.id, record.acceptedAt])).toEqual([
      ['c', 1_001],
      ['b', 1_000],
      ['a', 1_000],
    ]);
  });

  it('settles sends accepted strictly before a first-page fetch started, and those a page lists', () => {
    const clock = { now: 1_000 };
    const ledger = new SentLedger({ now: () => clock.now, maxAgeMs: 60_000 });
    ledger.record(sent('a'));
    clock.now = 2_000;
    ledger.record(sent('b'));
    ledger.record(sent('c'));
    ledger.settle(2_000);
    expect(ledger.recent().map((record) => record.message.id)).toEqual(['c', 'b']);
    ledger.listed(['b', 'x']);
    expect(ledger.recent().map((record) => record.message.id)).toEqual(['c']);
  });

  it('forgets what no cached page served can predate, and holds at most its limit', () => {
    const clock = { now: 0 };
    const ledger = new SentLedger({ now: () => clock.now, maxAgeMs: 10_000, limit: 2 });
    ledger.record(sent('a'));
    clock.now = 5_000;
    ledger.record(sent('b'));
    ledger.record(sent('c'));
    expect(ledger.recent().map((record) => record.message.id)).toEqual(['c', 'b']);
    clock.now = 15_000;
    expect(ledger.recent().map((record) => record.message.id)).toEqual(['c', 'b']);
    clock.now = 15_001;
    expect(ledger.recent()).toEqual([]);
  });

  it('keeps its own copy of what was accepted', () => {
    const ledger = new SentLedger({ now: () => 0, maxAgeMs: 1 });
    const message = sent('a');
    ledger.record(message);
    message.to.push('c@example.net');
    expect(ledger.recent()[0]?.message.to).toEqual(['b@example.net']);
  });
});

describe('OutdatedLists', () => {
  it('hands each page read once to the next send, the most recent ones when there are too many', () => {
    const lists = new OutdatedLists(2);
    lists.note('/l?query=a');
    lists.note('/l?page=2');
    lists.note('/l?query=a');
    lists.note('/l?page=3');
    expect(lists.take()).toEqual(['/l?query=a', '/l?page=3']);
    expect(lists.take()).toEqual([]);
  });
});
