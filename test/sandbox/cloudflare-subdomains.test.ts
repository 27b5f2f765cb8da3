import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEMO_CLOUDFLARE } from '../../src/sandbox/cloudflare-demo.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import {
  CLOUDFLARE_LIMITS,
  CLOUDFLARE_SUBDOMAIN_ERRORS,
  dnsRecordSchema,
  subdomainSchema,
} from '../../src/upstream/cloudflare-wire.js';
import { cloudflareSdkParams } from '../helpers/fixtures.js';
import { type Reply, cf, cfSuccess, expectCfError, fakeClock, keysOf, sandbox } from './helpers.js';

const { primary: ZONE, secondary: ZONE2 } = DEMO_CLOUDFLARE.zones;
const { mail: MAIL, notify: NOTIFY, send: SEND, legacy: LEGACY } = DEMO_CLOUDFLARE.subdomains;
const subdomains = (zoneId: string) => `/zones/${zoneId}/email/sending/subdomains`;
const one = (zoneId: string, tag: string) => `${subdomains(zoneId)}/${tag}`;
const INVALID_REQUEST = { status: 400, code: 2001, message: 'Invalid request' };
const SUBDOMAIN_KEYS = [
  'created',
  'dkim_selector',
  'enabled',
  'id',
  'modified',
  'name',
  'preview_enabled',
  'return_path_domain',
  'tag',
];

/** `examples/sdk-test-params.json`. */
const SDK =
  cloudflareSdkParams<
    Record<string, { only_required: { zone_id: string; subdomain_id?: string; body?: { name: string } } }>
  >();

function subdomain(reply: Reply) {
  const result = cfSuccess(reply);
  expect(keysOf(result)).toEqual(SUBDOMAIN_KEYS);
  return subdomainSchema.parse(result);
}

describe('Cloudflare sending subdomains', () => {
  it('lists the demo subdomains of each zone in the spec shape, with id = tag', async () => {
    const sb = await sandbox();
    const list = cfSuccess(await cf(sb, 'GET', subdomains(ZONE.id)), true) as Array<Record<string, unknown>>;
    expect(list.map((item) => [item.tag, item.id, item.name])).toEqual([
      [MAIL.tag, MAIL.tag, 'mail.example.com'],
      [NOTIFY.tag, NOTIFY.tag, 'notify.example.com'],
    ]);
    for (const item of list) expect(keysOf(item)).toEqual(SUBDOMAIN_KEYS);
    const parsed = z.array(subdomainSchema).parse(list);
    expect(parsed[0]).toEqual({
      id: MAIL.tag,
      name: 'mail.example.com',
      enabled: true,
      preview_enabled: false,
      dkim_selector: 'cf-bounce',
      return_path_domain: 'cf-bounce.mail.example.com',
      created: '2026-09-02T00:00:00.000Z',
      modified: '2026-09-02T00:00:00.000Z',
    });
    expect(parsed[1]).toMatchObject({ preview_enabled: true, modified: '2026-10-22T00:00:00.000Z' });
    // The deleted legacy.example.net is not listed.
    const second = cfSuccess(await cf(sb, 'GET', subdomains(ZONE2.id)), true) as Array<{ name: string }>;
    expect(second.map((item) => item.name)).toEqual([SEND.name]);
    expect(sb.cloudflare.zones()).toEqual([
      { id: ZONE.id, name: 'example.com' },
      { id: ZONE2.id, name: 'example.net' },
    ]);
    expect(sb.cloudflare.subdomains(ZONE2.id).map((s) => [s.name, s.enabled])).toEqual([
      [LEGACY.name, false],
      [SEND.name, true],
    ]);
  });

  it('gets one subdomain by tag (case-insensitively), 404/2033 for unknown or deleted, 400/2028 for malformed', async () => {
    const sb = await sandbox();
    const sdk = SDK['emailSending.subdomains.get']?.only_required;
    expect(sdk).toMatchObject({ zone_id: ZONE.id, subdomain_id: MAIL.tag });
    expect(subdomain(await cf(sb, 'GET', one(ZONE.id, MAIL.tag))).name).toBe('mail.example.com');
    expect(subdomain(await cf(sb, 'GET', one(ZONE.id, MAIL.tag.toUpperCase()))).id).toBe(MAIL.tag);
    expectCfError(
      await cf(sb, 'GET', one(ZONE.id, 'ffffffffffffffffffffffffffffffff')),
      CLOUDFLARE_SUBDOMAIN_ERRORS.notFound,
    );
    expectCfError(await cf(sb, 'GET', one(ZONE2.id, LEGACY.tag)), CLOUDFLARE_SUBDOMAIN_ERRORS.notFound);
    // A tag of another zone is not found in this one.
    expectCfError(await cf(sb, 'GET', one(ZONE2.id, MAIL.tag)), CLOUDFLARE_SUBDOMAIN_ERRORS.notFound);
    for (const bad of ['aabbccdd', `${MAIL.tag}0`, 'zzbbccdd11223344aabbccdd11223344', 'preview']) {
      expectCfError(await cf(sb, 'GET', one(ZONE.id, bad)), CLOUDFLARE_SUBDOMAIN_ERRORS.invalidId);
    }
  });

  it('creates the SDK fixture name (200), refuses it again (409/2040), deletes it, and re-creates it with the same tag', async () => {
    const clock = fakeClock();
    const sb = await sandbox({ now: clock.now });
    const sdk = SDK['emailSending.subdomains.create']?.only_required;
    expect(sdk).toEqual({ zone_id: ZONE.id, body: { name: 'sub.example.com' } });
    const created = subdomain(await cf(sb, 'POST', subdomains(ZONE.id), { json: sdk?.body }));
    const at = new Date(clock.now()).toISOString();
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      name: 'sub.example.com',
      enabled: true,
      preview_enabled: false,
      dkim_selector: 'cf-bounce',
      return_path_domain: 'cf-bounce.sub.example.com',
      created: at,
      modified: at,
    });
    expect(subdomain(await cf(sb, 'GET', one(ZONE.id, created.id)))).toEqual(created);
    const listed = cfSuccess(await cf(sb, 'GET', subdomains(ZONE.id)), true) as Array<{ tag: string }>;
    expect(listed.map((item) => item.tag)).toEqual([MAIL.tag, NOTIFY.tag, created.id]);

    expectCfError(
      await cf(sb, 'POST', subdomains(ZONE.id), { json: { name: 'Sub.Example.com.' } }),
      CLOUDFLARE_SUBDOMAIN_ERRORS.alreadyExists,
    );

    clock.advance(60_000);
    const deleted = await cf(sb, 'DELETE', one(ZONE.id, created.id));
    expect(cfSuccess(deleted)).toBeNull();
    expect(deleted.body).toEqual({ success: true, errors: [], messages: [], result: null });
    expectCfError(await cf(sb, 'DELETE', one(ZONE.id, created.id)), CLOUDFLARE_SUBDOMAIN_ERRORS.notFound);
    expectCfError(await cf(sb, 'GET', one(ZONE.id, created.id)), CLOUDFLARE_SUBDOMAIN_ERRORS.notFound);
    expectCfError(
      await cf(sb, 'GET', `${one(ZONE.id, created.id)}/dns`),
      CLOUDFLARE_SUBDOMAIN_ERRORS.notFound,
    );
    expect(sb.cloudflare.subdomains(ZONE.id).at(-1)).toMatchObject({ tag: created.id, enabled: false });

    clock.advance(60_000);
    const again = subdomain(await cf(sb, 'POST', subdomains(ZONE.id), { json: { name: 'sub.example.com' } }));
    expect(again).toEqual({ ...created, modified: new Date(clock.now()).toISOString() });
    const status = cfSuccess(await cf(sb, 'GET', `${one(ZONE.id, again.id)}/dns/status`)) as {
      status: string;
    };
    expect(status.status).toBe('ready');
  });

  it('re-enables the deleted demo subdomain legacy.example.net under its old tag', async () => {
    const sb = await sandbox();
    const again = subdomain(await cf(sb, 'POST', subdomains(ZONE2.id), { json: { name: LEGACY.name } }));
    expect(again).toMatchObject({ id: LEGACY.tag, enabled: true, created: '2026-08-03T00:00:00.000Z' });
  });

  it.each([
    ['a missing body', undefined],
    ['a body that is not an object', ['sub.example.com']],
    ['no name', { domain: 'sub.example.com' }],
    ['a name that is not a string', { name: 42 }],
    ['a name that is not a hostname', { name: 'not a host.example.com' }],
    ['a name outside the zone', { name: 'sub.example.org' }],
    ['a name that only ends like the zone', { name: 'badexample.com' }],
    ['a bare label', { name: 'sub' }],
    ['a wildcard', { name: '*.example.com' }],
  ])('refuses to create with %s: 400/2001', async (_, json) => {
    const sb = await sandbox();
    expectCfError(await cf(sb, 'POST', subdomains(ZONE.id), { json }), INVALID_REQUEST);
  });

  it('accepts the zone apex and ignores unknown properties', async () => {
    const sb = await sandbox();
    const apex = subdomain(
      await cf(sb, 'POST', subdomains(ZONE.id), { json: { name: 'EXAMPLE.com', extra: true } }),
    );
    expect(apex).toMatchObject({ name: 'example.com', return_path_domain: 'cf-bounce.example.com' });
  });

  it(`holds at most ${CLOUDFLARE_LIMITS.maxDomainsPerZone} enabled subdomains per zone; a delete frees a place`, async () => {
    const sb = await sandbox();
    const tags: string[] = [];
    for (let i = 0; i < CLOUDFLARE_LIMITS.maxDomainsPerZone - 2; i++) {
      tags.push(
        subdomain(await cf(sb, 'POST', subdomains(ZONE.id), { json: { name: `s${i}.example.com` } })).id,
      );
    }
    const full = await cf(sb, 'POST', subdomains(ZONE.id), { json: { name: 'one-too-many.example.com' } });
    expectCfError(full, INVALID_REQUEST);
    expect(full.body.messages).toEqual(['the zone already has 30 email domains, at most 30']);
    // The other zone is not affected.
    expect((await cf(sb, 'POST', subdomains(ZONE2.id), { json: { name: 'x.example.net' } })).status).toBe(
      200,
    );
    expect((await cf(sb, 'DELETE', one(ZONE.id, tags[0] ?? ''))).status).toBe(200);
    expect(
      (await cf(sb, 'POST', subdomains(ZONE.id), { json: { name: 'one-too-many.example.com' } })).status,
    ).toBe(200);
  });

  it('updates preview_enabled with PATCH and refuses anything else', async () => {
    const clock = fakeClock();
    const sb = await sandbox({ now: clock.now });
    const patched = subdomain(
      await cf(sb, 'PATCH', one(ZONE.id, MAIL.tag), { json: { preview_enabled: true } }),
    );
    expect(patched).toMatchObject({ preview_enabled: true, modified: new Date(clock.now()).toISOString() });
    expect(subdomain(await cf(sb, 'PATCH', one(ZONE.id, MAIL.tag), { json: {} }))).toEqual(patched);
    for (const json of [
      { name: 'x.example.com' },
      { enabled: false },
      { colour: 'red' },
      { preview_enabled: 'yes' },
      undefined,
    ]) {
      expectCfError(await cf(sb, 'PATCH', one(ZONE.id, MAIL.tag), { json }), INVALID_REQUEST);
    }
    expectCfError(
      await cf(sb, 'PATCH', one(ZONE.id, LEGACY.tag), { json: { preview_enabled: true } }),
      CLOUDFLARE_SUBDOMAIN_ERRORS.notFound,
    );
  });
});

describe('Cloudflare sending subdomain DNS', () => {
  it('answers the six records of NOTES §4.5 for the SDK fixture subdomain', async () => {
    const sb = await sandbox();
    const sdk = SDK['emailSending.subdomains.dns.get']?.only_required;
    expect(sdk).toMatchObject({ zone_id: ZONE.id, subdomain_id: MAIL.tag });
    const records = z
      .array(dnsRecordSchema)
      .parse(cfSuccess(await cf(sb, 'GET', `${one(ZONE.id, MAIL.tag)}/dns`), true));
    const dkim = records[4]?.content ?? '';
    expect(records).toEqual([
      {
        type: 'MX',
        name: 'cf-bounce.mail.example.com',
        content: 'route1.mx.cloudflare.net',
        priority: 25,
        ttl: 1,
      },
      {
        type: 'MX',
        name: 'cf-bounce.mail.example.com',
        content: 'route2.mx.cloudflare.net',
        priority: 34,
        ttl: 1,
      },
      {
        type: 'MX',
        name: 'cf-bounce.mail.example.com',
        content: 'route3.mx.cloudflare.net',
        priority: 12,
        ttl: 1,
      },
      {
        type: 'TXT',
        name: 'cf-bounce.mail.example.com',
        content: 'v=spf1 include:_spf.mx.cloudflare.net ~all',
        ttl: 1,
      },
      { type: 'TXT', name: 'cf-bounce._domainkey.mail.example.com', content: dkim, ttl: 1 },
      { type: 'TXT', name: '_dmarc.mail.example.com', content: 'v=DMARC1; p=reject;', ttl: 1 },
    ]);
    const key = /^v=DKIM1; h=sha256; k=rsa; p=([A-Za-z0-9+/]+=*)$/.exec(dkim)?.[1] ?? '';
    expect(Buffer.from(key, 'base64').length).toBe(294);
    expect(key.startsWith('MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA')).toBe(true);
    expect(sb.cloudflare.dnsRecords(ZONE.id, MAIL.tag)).toEqual(records);
    expect(() => sb.cloudflare.dnsRecords(ZONE2.id, LEGACY.tag)).toThrow(/no enabled subdomain/);
  });

  it('gives each name its own DKIM key, the same for the same name and seed', async () => {
    const a = await sandbox();
    const b = await sandbox();
    const other = await sandbox({ seed: 2 });
    const key = (sb: Sandbox, tag: string) => sb.cloudflare.dnsRecords(ZONE.id, tag)[4]?.content;
    expect(key(a, MAIL.tag)).toBe(key(b, MAIL.tag));
    expect(key(a, MAIL.tag)).not.toBe(key(a, NOTIFY.tag));
    expect(key(a, MAIL.tag)).not.toBe(key(other, MAIL.tag));
  });

  it('reports the DNS status: ready, or unconfigured with the missing DMARC record until POST …/dns fixes it', async () => {
    const sb = await sandbox();
    const ready = cfSuccess(await cf(sb, 'GET', `${one(ZONE.id, MAIL.tag)}/dns/status`));
    expect(ready).toEqual({
      status: 'ready',
      records: sb.cloudflare.dnsRecords(ZONE.id, MAIL.tag),
      errors: [],
    });
    const status = `${one(ZONE2.id, SEND.tag)}/dns/status`;
    expect(cfSuccess(await cf(sb, 'GET', status))).toEqual({
      status: 'unconfigured',
      records: sb.cloudflare.dnsRecords(ZONE2.id, SEND.tag),
      errors: [
        {
          code: 'dmarc.missing',
          missing: { type: 'TXT', name: '_dmarc.send.example.net', content: 'v=DMARC1; p=reject;', ttl: 1 },
        },
      ],
    });
    const fixed = cfSuccess(await cf(sb, 'POST', `${one(ZONE2.id, SEND.tag)}/dns`));
    expect(fixed).toMatchObject({ status: 'ready', errors: [] });
    expect(cfSuccess(await cf(sb, 'GET', status))).toMatchObject({ status: 'ready', errors: [] });
    expectCfError(
      await cf(sb, 'GET', `${one(ZONE2.id, LEGACY.tag)}/dns/status`),
      CLOUDFLARE_SUBDOMAIN_ERRORS.notFound,
    );
    expectCfError(
      await cf(sb, 'GET', `${one(ZONE2.id, 'x')}/dns/status`),
      CLOUDFLARE_SUBDOMAIN_ERRORS.invalidId,
    );
    expectCfError(
      await cf(sb, 'POST', `${one(ZONE2.id, LEGACY.tag)}/dns`),
      CLOUDFLARE_SUBDOMAIN_ERRORS.notFound,
    );
  });

  it('previews a new name (every record missing) without creating it, and an existing one as it stands', async () => {
    const sb = await sandbox();
    const preview = cfSuccess(
      await cf(sb, 'POST', `${subdomains(ZONE.id)}/preview`, { json: { name: 'new.example.com' } }),
    ) as {
      records: unknown[];
      errors: Array<{ code: string }>;
    };
    expect(preview.records).toHaveLength(6);
    expect(preview.errors.map((error) => error.code)).toEqual([
      'mx.missing',
      'mx.missing',
      'mx.missing',
      'spf.missing',
      'dkim.missing',
      'dmarc.missing',
    ]);
    expect(sb.cloudflare.subdomains(ZONE.id)).toHaveLength(2);
    // The key previewed is the key a create then publishes.
    const created = subdomain(
      await cf(sb, 'POST', subdomains(ZONE.id), { json: { name: 'new.example.com' } }),
    );
    expect(sb.cloudflare.dnsRecords(ZONE.id, created.id)).toEqual(preview.records);
    const existing = cfSuccess(
      await cf(sb, 'POST', `${subdomains(ZONE.id)}/preview`, { json: { name: 'mail.example.com' } }),
    );
    expect(existing).toEqual({ records: sb.cloudflare.dnsRecords(ZONE.id, MAIL.tag), errors: [] });
    expectCfError(
      await cf(sb, 'POST', `${subdomains(ZONE.id)}/preview`, { json: { name: 'x.example.net' } }),
      INVALID_REQUEST,
    );
  });
});
