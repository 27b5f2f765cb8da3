import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEMO_CLOUDMAILIN } from '../../src/sandbox/demo-data.js';
import { addressSchema, errorBodySchema } from '../../src/upstream/cloudmailin-wire.js';
import { CM, SEED_KEYS, cm, keysOf, rawGet, sandbox } from './helpers.js';

const SUPPORT = DEMO_CLOUDMAILIN.addressIds.support;

describe('CloudMailin addresses', () => {
  it('lists the four demo addresses in the seed shape', async () => {
    const sb = await sandbox();
    const reply = await cm(sb, 'GET', '/addresses');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const addresses = z.array(addressSchema).parse(reply.body);
    expect(addresses.map((a) => a.id)).toEqual(Object.values(DEMO_CLOUDMAILIN.addressIds));
    for (const address of addresses) {
      expect(keysOf(address)).toEqual(SEED_KEYS.address);
      expect(address.id).toMatch(/^[0-9a-f]{20}$/);
      expect(['json+n', 'multipart+n']).toContain(address.target_format);
    }
    expect(new Set(addresses.map((a) => a.target_format)).size).toBe(2);
    expect(addresses.some((a) => a.nickname === null)).toBe(true);
  });

  it('creates (201), reads, replaces (PUT), merges (PATCH) and deletes (202 with the body)', async () => {
    const sb = await sandbox();
    const created = await cm(sb, 'POST', '/addresses', {
      json: { target: 'https://example.com/new', target_format: 'json+n', nickname: 'New' },
    });
    expect(created.status).toBe(201);
    const address = addressSchema.parse(created.body);
    expect(keysOf(address)).toEqual(SEED_KEYS.address);
    expect(address).toMatchObject({ target: 'https://example.com/new', nickname: 'New', attachments: {} });
    expect(address.id).toMatch(/^[0-9a-f]{20}$/);

    expect((await cm(sb, 'GET', `/addresses/${address.id}`)).body).toEqual(address);

    const replaced = await cm(sb, 'PUT', `/addresses/${address.id}`, {
      json: { target: 'https://example.com/put', target_format: 'multipart+n' },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toEqual({
      ...address,
      target: 'https://example.com/put',
      target_format: 'multipart+n',
      nickname: null,
    });

    const patched = await cm(sb, 'PATCH', `/addresses/${address.id}`, { json: { nickname: 'Patched' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ target: 'https://example.com/put', nickname: 'Patched' });

    const deleted = await cm(sb, 'DELETE', `/addresses/${address.id}`);
    expect(deleted.status).toBe(202);
    expect(deleted.body).toEqual(patched.body);
    expect((await cm(sb, 'GET', `/addresses/${address.id}`)).status).toBe(404);
    expect(sb.cloudmailin.addresses().map((a) => a.id)).not.toContain(address.id);
  });

  it.each([
    ['a missing body', undefined, /target is required/],
    [
      'an unknown property',
      { target: 'https://e.com', target_format: 'json+n', colour: 'red' },
      /unknown property: colour/,
    ],
    ['a read-only id', { id: 'aaaa', target: 'https://e.com', target_format: 'json+n' }, /id is read-only/],
    ['a non-http target', { target: 'ftp://e.com', target_format: 'json+n' }, /http or https/],
    ['a bad target_format', { target: 'https://e.com', target_format: 'raw' }, /target_format/],
  ])('refuses %s with 422 {status, error}', async (_, json, message) => {
    const sb = await sandbox();
    const reply = await cm(sb, 'POST', '/addresses', { json });
    expect(reply.status).toBe(422);
    expect(keysOf(reply.body)).toEqual(SEED_KEYS.error);
    expect(reply.body.status).toBe(422);
    expect(reply.body.error).toMatch(message);
  });

  it('PUT requires target and target_format, PATCH does not', async () => {
    const sb = await sandbox();
    const put = await cm(sb, 'PUT', `/addresses/${SUPPORT}`, { json: { nickname: 'x' } });
    expect(put.status).toBe(422);
    expect(put.body.error).toMatch(/target is required/);
    expect((await cm(sb, 'PATCH', `/addresses/${SUPPORT}`, { json: { nickname: 'x' } })).status).toBe(200);
  });

  it('answers 404 {status, error} for unknown ids on every address route', async () => {
    const sb = await sandbox();
    for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) {
      const reply = await cm(sb, method, '/addresses/ffffffffffffffffffff', {
        json: method === 'PUT' || method === 'PATCH' ? { nickname: 'x' } : undefined,
      });
      expect(reply.status).toBe(404);
      expect(reply.body).toEqual({ status: 404, error: 'Not Found' });
    }
  });
});

describe('CloudMailin authentication', () => {
  it('401 without or with a wrong token, 403 for the right key on another account', async () => {
    const sb = await sandbox();
    const unauthorized = { status: 401, error: 'Unauthorized' };
    expect((await cm(sb, 'GET', '/addresses', { token: null })).body).toEqual(unauthorized);
    expect((await cm(sb, 'GET', '/addresses', { token: 'wrong' })).body).toEqual(unauthorized);
    expect((await cm(sb, 'GET', '/addresses', { token: CM.smtpToken })).status).toBe(401);
    const forbidden = await cm(sb, 'GET', '/addresses', { account: 'bbbbbbbbbbbbbbbb' });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toEqual({ status: 403, error: 'Forbidden' });
    expect(errorBodySchema.parse(forbidden.body).error).toBe('Forbidden');
  });

  it('accepts HTTP Basic with the key as the password or the username', async () => {
    const sb = await sandbox();
    const basic = (pair: string) => ({ authorization: `Basic ${Buffer.from(pair).toString('base64')}` });
    expect(
      (await cm(sb, 'GET', '/addresses', { headers: basic(`${CM.accountId}:${CM.apiKey}`) })).status,
    ).toBe(200);
    expect((await cm(sb, 'GET', '/addresses', { headers: basic(`${CM.apiKey}:`) })).status).toBe(200);
    expect((await cm(sb, 'GET', '/addresses', { headers: basic('user:nope') })).status).toBe(401);
  });

  it('records every call with how it authenticated', async () => {
    const sb = await sandbox();
    await cm(sb, 'GET', '/addresses');
    await cm(sb, 'GET', '/addresses?x=1', { token: null });
    await cm(sb, 'GET', '/addresses', { token: 'nope' });
    await cm(sb, 'GET', '/addresses', { token: CM.smtpToken });
    expect(sb.calls).toEqual([
      {
        method: 'GET',
        path: `/cloudmailin/api/v0.1/${CM.accountId}/addresses`,
        query: {},
        status: 200,
        auth: 'api-key',
      },
      {
        method: 'GET',
        path: `/cloudmailin/api/v0.1/${CM.accountId}/addresses`,
        query: { x: '1' },
        status: 401,
        auth: 'none',
      },
      {
        method: 'GET',
        path: `/cloudmailin/api/v0.1/${CM.accountId}/addresses`,
        query: {},
        status: 401,
        auth: 'invalid',
      },
      {
        method: 'GET',
        path: `/cloudmailin/api/v0.1/${CM.accountId}/addresses`,
        query: {},
        status: 401,
        auth: 'smtp-token',
      },
    ]);
    sb.resetCalls();
    expect(sb.calls).toEqual([]);
  });
});

describe('CloudMailin HTTP surface', () => {
  it('404 for unknown routes and prefixes, 405 (with Allow) for a wrong method', async () => {
    const sb = await sandbox();
    expect((await cm(sb, 'GET', '/nothing-here')).body).toEqual({ status: 404, error: 'Not Found' });
    expect((await fetch(`${sb.url}/elsewhere/api`)).status).toBe(404);
    expect((await fetch(`${sb.cloudmailinUrl}`)).status).toBe(404);
    const wrong = await cm(sb, 'DELETE', '/addresses');
    expect(wrong.status).toBe(405);
    expect(wrong.body).toEqual({ status: 405, error: 'Method Not Allowed' });
    expect(wrong.headers.get('allow')).toBe('GET, POST');
  });

  it('400 for malformed JSON and 415 for a non-JSON body, both as {status, error}', async () => {
    const sb = await sandbox();
    const malformed = await cm(sb, 'POST', '/addresses', {
      raw: '{"target": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect(keysOf(malformed.body)).toEqual(SEED_KEYS.error);
    expect(malformed.body.error).toMatch(/Malformed JSON/);
    const form = await cm(sb, 'POST', '/addresses', {
      raw: 'target=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    expect(form.body.status).toBe(415);
  });

  it('413 for a body over 12 MB', async () => {
    const sb = await sandbox();
    const reply = await cm(sb, 'POST', '/addresses', {
      raw: `{"target":"${'x'.repeat(12 * 1024 * 1024)}"}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(reply.status).toBe(413);
    expect(reply.body).toEqual({ status: 413, error: 'Payload Too Large' });
  });

  it('decodes each path segment on its own: %2F and dot segments never traverse', async () => {
    const sb = await sandbox();
    const base = `/cloudmailin/api/v0.1/${CM.accountId}`;
    expect((await rawGet(sb, `${base}/addresses/%61${SUPPORT.slice(1)}`)).body.id).toBe(SUPPORT);
    expect((await rawGet(sb, `${base}/addresses/${SUPPORT}`)).status).toBe(200);
    for (const path of [
      `${base}/addresses/${SUPPORT}%2F..`,
      `${base}/addresses/..%2F${SUPPORT}`,
      `${base}/addresses/%2e%2e`,
      `${base}/x/../addresses/${SUPPORT}`,
      `${base}/addresses/%2e%2e/addresses/${SUPPORT}`,
    ]) {
      const reply = await rawGet(sb, path);
      expect(reply.status, path).toBe(404);
      expect(reply.body).toEqual({ status: 404, error: 'Not Found' });
    }
    // An account id smuggling a `../` is just another account: the right key, the wrong account.
    expect((await rawGet(sb, `/cloudmailin/api/v0.1/..%2F${CM.accountId}/addresses`)).status).toBe(403);
    expect((await rawGet(sb, `${base}/addresses/%E0%A4%A`)).status).toBe(400);
    expect(sb.calls.at(-1)?.path).toBe(`${base}/addresses/%E0%A4%A`);
  });
});
