import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEMO_CLOUDMAILIN } from '../../src/sandbox/demo-data.js';
import { customDomainSchema, sendingDomainSchema } from '../../src/upstream/cloudmailin-wire.js';
import { SEED_KEYS, allPages, cm, keysOf, sandbox } from './helpers.js';

const { support: SUPPORT, replies: REPLIES } = DEMO_CLOUDMAILIN.addressIds;
const SENDING = DEMO_CLOUDMAILIN.sendingDomainIds;

describe('CloudMailin custom domains', () => {
  it('lists 1–3 domains per demo address in the seed shape', async () => {
    const sb = await sandbox();
    for (const addressId of Object.values(DEMO_CLOUDMAILIN.addressIds)) {
      const reply = await cm(sb, 'GET', `/custom_domains?address_id=${addressId}`);
      expect(reply.status).toBe(200);
      const domains = z.array(customDomainSchema).parse(reply.body);
      expect(domains.length).toBeGreaterThanOrEqual(1);
      expect(domains.length).toBeLessThanOrEqual(3);
      for (const domain of domains) {
        expect(keysOf(domain)).toEqual(SEED_KEYS.customDomain);
        expect(domain.id).toMatch(/^[0-9a-f]{16}$/);
      }
    }
    const support = await cm(sb, 'GET', `/custom_domains?address_id=${SUPPORT}`);
    expect(support.body[0]).toMatchObject({
      id: DEMO_CLOUDMAILIN.customDomainId,
      domain: 'support.example.com',
    });
  });

  it('creates (201) and deletes (202 with the body) a domain', async () => {
    const sb = await sandbox();
    const created = await cm(sb, 'POST', `/custom_domains?address_id=${SUPPORT}`, {
      json: { domain: 'In.Example.com', auth_regex: 'allowed[0-9]*@in\\.example\\.com' },
    });
    expect(created.status).toBe(201);
    const domain = customDomainSchema.parse(created.body);
    expect(domain).toMatchObject({ domain: 'in.example.com', domain_target: null });
    expect(keysOf(domain)).toEqual(SEED_KEYS.customDomain);
    expect(domain.id).toMatch(/^[0-9a-f]{16}$/);
    expect(sb.cloudmailin.customDomains(SUPPORT).at(-1)).toEqual(domain);

    const wrongAddress = await cm(sb, 'DELETE', `/custom_domains/${domain.id}?address_id=${REPLIES}`);
    expect(wrongAddress.status).toBe(404);
    const deleted = await cm(sb, 'DELETE', `/custom_domains/${domain.id}?address_id=${SUPPORT}`);
    expect(deleted.status).toBe(202);
    expect(deleted.body).toEqual(domain);
    expect((await cm(sb, 'DELETE', `/custom_domains/${domain.id}?address_id=${SUPPORT}`)).status).toBe(404);
    expect((await cm(sb, 'DELETE', `/custom_domains/${domain.id}`)).status).toBe(422);
  });

  it.each([
    ['a missing body', undefined, /domain is required/],
    ['an unknown property', { domain: 'a.example.com', mx: 'x' }, /unknown property: mx/],
    ['a read-only id', { id: 'aaaa111122223333', domain: 'a.example.com' }, /read-only/],
    ['an invalid domain', { domain: 'not a domain' }, /domain is invalid/],
    ['a taken domain', { domain: 'reply.example.net' }, /already been taken/],
    ['a bad auth_regex', { domain: 'a.example.com', auth_regex: '([' }, /auth_regex/],
    ['a domain without MX records', { domain: 'nomx.example.invalid' }, /MX records/],
  ])('refuses %s with 422', async (_, json, message) => {
    const sb = await sandbox();
    const reply = await cm(sb, 'POST', `/custom_domains?address_id=${SUPPORT}`, { json });
    expect(reply.status).toBe(422);
    expect(reply.body.error).toMatch(message);
  });

  it('accepts a single-level wildcard, needs address_id and 404s an unknown address', async () => {
    const sb = await sandbox();
    expect(
      (await cm(sb, 'POST', `/custom_domains?address_id=${SUPPORT}`, { json: { domain: '*.w.example.com' } }))
        .status,
    ).toBe(201);
    expect((await cm(sb, 'POST', '/custom_domains', { json: { domain: 'x.example.com' } })).status).toBe(422);
    expect((await cm(sb, 'GET', '/custom_domains')).body).toEqual({
      status: 422,
      error: 'address_id is required',
    });
    expect((await cm(sb, 'GET', '/custom_domains?address_id=ffffffffffffffffffff')).status).toBe(404);
  });

  it('filters by partial domain and pages', async () => {
    const sb = await sandbox({ pageSize: 2 });
    const replies = await cm(sb, 'GET', `/custom_domains?address_id=${REPLIES}&query=replies`);
    expect(replies.body.map((d: { domain: string }) => d.domain)).toEqual(['*.replies.example.net']);
    const pages = await allPages(sb, `/custom_domains?address_id=${REPLIES}`);
    expect(pages.map((page) => page.length)).toEqual([2, 1, 0]);
  });
});

describe('CloudMailin sending domains', () => {
  it('lists the demo domains: two verified, one partially, one not at all', async () => {
    const sb = await sandbox();
    const reply = await cm(sb, 'GET', '/sending_domains');
    expect(reply.status).toBe(200);
    const domains = z.array(sendingDomainSchema).parse(reply.body);
    expect(domains.map((d) => d.id)).toEqual(Object.values(SENDING));
    for (const domain of domains) {
      expect(keysOf(domain)).toEqual(SEED_KEYS.sendingDomain);
      expect(domain.mta_domain).toBe(`mta.${domain.domain}`);
      expect(domain.dkim_selector).toMatch(/^[0-9a-f]{10}cm$/);
      expect(domain.dkim_domain).toBe(`${domain.dkim_selector}._domainkey.${domain.domain}`);
      expect(domain.required_cname).toBe('feedback-smtp.cloudmta.net');
      const key = /^v=DKIM1; h=sha256; k=rsa; s=email; p=([A-Za-z0-9+/=]+)$/.exec(
        domain.dkim_public_record ?? '',
      );
      expect(key).not.toBeNull();
      const der = Buffer.from(key?.[1] ?? '', 'base64');
      expect(der.length).toBe(294);
      expect(key?.[1]?.startsWith('MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA')).toBe(true);
    }
    const flags = domains.map((d) => [d.dkim_verified, d.return_path_verified, d.spf_verified]);
    expect(flags).toEqual([
      [true, true, true],
      [true, true, true],
      [true, false, true],
      [false, false, false],
    ]);
  });

  it('creates (201) a domain that fails its first verify (422 with the domain body) and passes the second', async () => {
    const sb = await sandbox();
    const created = await cm(sb, 'POST', '/sending_domains', { json: { domain: 'send.example.com' } });
    expect(created.status).toBe(201);
    const domain = sendingDomainSchema.parse(created.body);
    expect(keysOf(domain)).toEqual(SEED_KEYS.sendingDomain);
    expect(domain.id).toMatch(/^[0-9a-f]{16}$/);
    expect([domain.dkim_verified, domain.return_path_verified, domain.spf_verified]).toEqual([
      null,
      null,
      null,
    ]);

    const first = await cm(sb, 'POST', `/sending_domains/${domain.id}/verify`);
    expect(first.status).toBe(422);
    expect(keysOf(first.body)).toEqual(SEED_KEYS.sendingDomain);
    expect(first.body).toEqual({
      ...domain,
      dkim_verified: false,
      return_path_verified: false,
      spf_verified: false,
    });

    const second = await cm(sb, 'POST', `/sending_domains/${domain.id}/verify`);
    expect(second.status).toBe(200);
    expect(second.body).toEqual({
      ...domain,
      dkim_verified: true,
      return_path_verified: true,
      spf_verified: true,
    });
    expect((await cm(sb, 'GET', `/sending_domains/${domain.id}`)).body).toEqual(second.body);
  });

  it('verifies the demo domains deterministically', async () => {
    const sb = await sandbox();
    expect((await cm(sb, 'POST', `/sending_domains/${SENDING.verified}/verify`)).status).toBe(200);
    const partial = await cm(sb, 'POST', `/sending_domains/${SENDING.partial}/verify`);
    expect(partial.status).toBe(200);
    expect(partial.body.return_path_verified).toBe(true);
    for (let attempt = 0; attempt < 3; attempt++) {
      const never = await cm(sb, 'POST', `/sending_domains/${SENDING.unverified}/verify`);
      expect(never.status).toBe(422);
      expect(never.body.domain).toBe('newsletter.example.invalid');
    }
  });

  it.each([
    ['a missing body', undefined, /domain is required/],
    ['a read-only field', { domain: 'x.example.com', dkim_verified: true }, /dkim_verified is read-only/],
    ['an unknown property', { domain: 'x.example.com', region: 'eu' }, /unknown property: region/],
    ['an invalid domain', { domain: '-bad-.example' }, /domain is invalid/],
    ['a wildcard', { domain: '*.example.com' }, /domain is invalid/],
    ['a taken domain', { domain: 'EXAMPLE.com' }, /already been taken/],
  ])('refuses %s with 422', async (_, json, message) => {
    const sb = await sandbox();
    const reply = await cm(sb, 'POST', '/sending_domains', { json });
    expect(reply.status).toBe(422);
    expect(reply.body).toEqual({ status: 422, error: expect.stringMatching(message) });
  });

  it('gets, deletes (202 with the body) and 404s', async () => {
    const sb = await sandbox();
    const got = await cm(sb, 'GET', `/sending_domains/${SENDING.partial}`);
    expect(got.status).toBe(200);
    const deleted = await cm(sb, 'DELETE', `/sending_domains/${SENDING.partial}`);
    expect(deleted.status).toBe(202);
    expect(deleted.body).toEqual(got.body);
    for (const [method, path] of [
      ['GET', `/sending_domains/${SENDING.partial}`],
      ['DELETE', `/sending_domains/${SENDING.partial}`],
      ['POST', `/sending_domains/${SENDING.partial}/verify`],
    ] as const) {
      expect((await cm(sb, method, path)).body).toEqual({ status: 404, error: 'Not Found' });
    }
  });

  it('filters by partial domain and pages', async () => {
    const sb = await sandbox({ pageSize: 3 });
    const found = await cm(sb, 'GET', '/sending_domains?query=EXAMPLE.org');
    expect(found.body.map((d: { domain: string }) => d.domain)).toEqual(['mail.example.org']);
    const pages = await allPages(sb, '/sending_domains');
    expect(pages.map((page) => page.length)).toEqual([3, 1, 0]);
  });
});
