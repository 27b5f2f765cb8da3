import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEMO_CLOUDMAILIN } from '../../src/sandbox/demo-data.js';
import { type IncomingStatus, incomingStatusSchema } from '../../src/upstream/cloudmailin-wire.js';
import { SEED_KEYS, UUID_V4, allPages, cm, fakeClock, keysOf, sandbox } from './helpers.js';

const SUPPORT = DEMO_CLOUDMAILIN.addressIds.support;
const statuses = z.array(incomingStatusSchema);

async function query(sb: Awaited<ReturnType<typeof sandbox>>, q: string, addressId = SUPPORT) {
  const reply = await cm(
    sb,
    'GET',
    `/incoming_statuses?address_id=${addressId}&query=${encodeURIComponent(q)}`,
  );
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return statuses.parse(reply.body);
}

describe('CloudMailin incoming statuses', () => {
  it('serves each address 40–120 statuses in the seed shape, newest first, with every status kind', async () => {
    const sb = await sandbox();
    const seen = new Set<string>();
    for (const addressId of Object.values(DEMO_CLOUDMAILIN.addressIds)) {
      const all = sb.cloudmailin.statuses(addressId);
      expect(all.length).toBeGreaterThanOrEqual(40);
      expect(all.length).toBeLessThanOrEqual(120);
      const first = await cm(sb, 'GET', `/incoming_statuses?address_id=${addressId}`);
      expect(first.status).toBe(200);
      for (const status of statuses.parse(first.body)) {
        expect(keysOf(status)).toEqual(SEED_KEYS.incomingStatus);
        expect(status.id).toMatch(UUID_V4);
        expect(typeof status.status).toBe('string');
        expect(status.message_id).not.toMatch(/^</);
        expect(['TLSv1.3', 'TLSv1.2']).toContain(status.tls);
        expect(status.md5).toMatch(/^[0-9a-f]{32}$/);
        expect(status.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        expect(Date.parse(status.created_at ?? '')).toBeLessThan(Date.parse(DEMO_CLOUDMAILIN.epoch));
      }
      for (const status of all) seen.add(String(status.status));
      const times = all.map((s) => Date.parse(s.created_at ?? ''));
      expect(times).toEqual([...times].sort((a, b) => b - a));
    }
    expect([...seen].sort()).toEqual(['200', '201', '404', '422', '500', '503', 'client_timeout']);
  });

  it('requires address_id (422) and 404s an unknown address', async () => {
    const sb = await sandbox();
    const missing = await cm(sb, 'GET', '/incoming_statuses');
    expect(missing.status).toBe(422);
    expect(missing.body).toEqual({ status: 422, error: 'address_id is required' });
    const unknown = await cm(sb, 'GET', '/incoming_statuses?address_id=ffffffffffffffffffff');
    expect(unknown.body).toEqual({ status: 404, error: 'Not Found' });
  });

  it('pages through everything with a fixed page size, then answers []', async () => {
    const sb = await sandbox({ pageSize: 20 });
    const all = sb.cloudmailin.statuses(SUPPORT);
    const pages = await allPages(sb, `/incoming_statuses?address_id=${SUPPORT}`);
    expect(pages.at(-1)).toEqual([]);
    const full = pages.slice(0, -1);
    expect(full.length).toBe(Math.ceil(all.length / 20));
    for (const page of full.slice(0, -1)) expect(page).toHaveLength(20);
    expect(full.flat()).toEqual(all);
    expect((await cm(sb, 'GET', `/incoming_statuses?address_id=${SUPPORT}&page=99`)).body).toEqual([]);
    expect((await cm(sb, 'GET', `/incoming_statuses?address_id=${SUPPORT}&page=0`)).status).toBe(422);
    expect((await cm(sb, 'GET', `/incoming_statuses?address_id=${SUPPORT}&page=two`)).status).toBe(422);
  });

  it('puts mail received after start-up on top and shifts the pages', async () => {
    const clock = fakeClock();
    const sb = await sandbox({ pageSize: 5, now: clock.now });
    const before = (await cm(sb, 'GET', `/incoming_statuses?address_id=${SUPPORT}&page=1`))
      .body as IncomingStatus[];
    const received = sb.cloudmailin.receiveInbound(SUPPORT, {
      from: 'someone@example.net',
      subject: 'Hello sandbox',
      status: 503,
    });
    expect(received).toMatchObject({ from: 'someone@example.net', subject: 'Hello sandbox', status: '503' });
    expect(received.created_at).toBe(new Date(clock.now()).toISOString());
    expect(keysOf(received)).toEqual(SEED_KEYS.incomingStatus);
    const page1 = (await cm(sb, 'GET', `/incoming_statuses?address_id=${SUPPORT}&page=1`))
      .body as IncomingStatus[];
    const page2 = (await cm(sb, 'GET', `/incoming_statuses?address_id=${SUPPORT}&page=2`))
      .body as IncomingStatus[];
    expect(page1[0]).toEqual(received);
    expect(page1.slice(1)).toEqual(before.slice(0, 4));
    expect(page2[0]).toEqual(before[4]);
    expect(() => sb.cloudmailin.receiveInbound('ffffffffffffffffffff')).toThrow(/no address/);
  });
});

describe('CloudMailin incoming status query (Elasticsearch query-string subset)', () => {
  it('filters by status and status_category', async () => {
    const sb = await sandbox({ pageSize: 200 });
    const all = sb.cloudmailin.statuses(SUPPORT);
    const notFound = await query(sb, 'status:404');
    expect(notFound.length).toBe(all.filter((s) => s.status === '404').length);
    expect(notFound.length).toBeGreaterThan(0);

    const rejected = await query(sb, 'status_category:rejected');
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected.every((s) => /^4\d\d$/.test(String(s.status)))).toBe(true);
    expect(await query(sb, 'status_category:failed')).toEqual(rejected);

    const delayed = await query(sb, 'status_category:delayed');
    expect(delayed.every((s) => /^5\d\d$/.test(String(s.status)) || s.status === 'client_timeout')).toBe(
      true,
    );
    const successful = await query(sb, 'status_category:successful');
    expect(successful.length + rejected.length + delayed.length).toBe(all.length);
  });

  it('matches from/to/subject fields, bare words, phrases and wildcards case-insensitively', async () => {
    const sb = await sandbox({ pageSize: 200 });
    sb.cloudmailin.receiveInbound(SUPPORT, { from: 'Zed@Unique.example', subject: 'Quarterly ZEBRA report' });
    expect((await query(sb, 'from:unique.example')).map((s) => s.subject)).toEqual([
      'Quarterly ZEBRA report',
    ]);
    expect((await query(sb, 'zebra')).map((s) => s.from)).toEqual(['Zed@Unique.example']);
    expect(await query(sb, '"quarterly zebra"')).toHaveLength(1);
    expect(await query(sb, 'subject:"zebra report"')).toHaveLength(1);
    expect(await query(sb, 'from:zed@*')).toHaveLength(1);
    const toOwn = await query(sb, `to:${SUPPORT}@cloudmailin.net`);
    expect(toOwn.length).toBeGreaterThan(0);
    expect(toOwn.every((s) => s.to === `${SUPPORT}@cloudmailin.net`)).toBe(true);
  });

  it('combines terms with AND, OR, NOT and parentheses; * and empty match everything', async () => {
    const sb = await sandbox({ pageSize: 200 });
    const all = sb.cloudmailin.statuses(SUPPORT);
    expect(await query(sb, '*')).toEqual(all);
    expect(await query(sb, '')).toEqual(all);
    const and = await query(sb, 'status:200 AND subject:invoice');
    expect(and).toEqual(all.filter((s) => s.status === '200' && /invoice/i.test(s.subject ?? '')));
    const or = await query(sb, 'status:404 OR status:422');
    expect(or).toEqual(all.filter((s) => s.status === '404' || s.status === '422'));
    expect(await query(sb, 'NOT status:200')).toEqual(all.filter((s) => s.status !== '200'));
    expect(await query(sb, '-status:200')).toEqual(all.filter((s) => s.status !== '200'));
    const grouped = await query(sb, '(status:404 OR status:422) AND NOT subject:invoice');
    expect(grouped).toEqual(or.filter((s) => !/invoice/i.test(s.subject ?? '')));
    expect(await query(sb, 'colour:red')).toEqual([]);
  });

  it('understands created_at date math relative to the emulator clock', async () => {
    const clock = fakeClock(Date.parse('2026-11-01T00:00:00Z'));
    const sb = await sandbox({ pageSize: 200, now: clock.now });
    const all = sb.cloudmailin.statuses(SUPPORT);
    const dayAgo = Date.parse('2026-10-31T00:00:00Z');
    const recent = await query(sb, 'created_at:[now-1d/d TO now]');
    expect(recent).toEqual(all.filter((s) => Date.parse(s.created_at ?? '') >= dayAgo));
    expect(recent.length).toBeGreaterThan(0);
    const delayedRecent = await query(sb, 'status_category:delayed AND created_at:[now-7d TO *]');
    expect(
      delayedRecent.every((s) => Date.parse(s.created_at ?? '') >= Date.parse('2026-10-25T00:00:00Z')),
    ).toBe(true);
    expect(await query(sb, 'created_at:[2026-10-31 TO 2026-11-01}')).toEqual(recent);
    expect(await query(sb, 'created_at:2026-10-31')).toEqual(recent);
  });

  it('422s a query it cannot parse', async () => {
    const sb = await sandbox();
    for (const bad of ['subject:"unclosed', '(status:200', 'status:200)', 'created_at:[now TO', 'AND']) {
      const reply = await cm(
        sb,
        'GET',
        `/incoming_statuses?address_id=${SUPPORT}&query=${encodeURIComponent(bad)}`,
      );
      expect(reply.status, bad).toBe(422);
      expect(reply.body.error, bad).toMatch(/^invalid query/);
    }
  });
});
