import { type Interceptable, MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { NotFoundError, UpstreamError, ValidationError } from '../../src/errors.js';
import { HttpTransport, type HttpTransportOptions, type UpstreamCall } from '../../src/upstream/http.js';

const ORIGIN = 'https://upstream.test';
const item = z.object({ id: z.string() });

let agent: MockAgent;
let pool: Interceptable;
let calls: UpstreamCall[];
let mapped: Array<{ status: number; body: unknown }>;

function transport(options: Partial<HttpTransportOptions> = {}) {
  return new HttpTransport({
    provider: 'CLOUDMAILIN',
    baseUrl: `${ORIGIN}/api/v1/`,
    timeoutMs: 1_000,
    maxResponseBytes: 1_024,
    dispatcher: agent,
    onCall: (call) => calls.push(call),
    mapError: (status, body, _headers, context) => {
      mapped.push({ status, body });
      return status === 404
        ? new NotFoundError('nope', context.resource ?? '', context.id ?? '')
        : new UpstreamError(`status ${status}`, 'CLOUDMAILIN', status, 'UNEXPECTED_STATUS');
    },
    sleep: async () => {},
    ...options,
  });
}

/** GETs `/api/v1/{name}` for each name, in turn, through one transport: every one must reject. */
async function expectGetsRejected(...names: string[]) {
  const t = transport();
  for (const name of names) {
    await expect(
      t.request({ method: 'GET', segments: [name], schema: item, expect: [200] }),
    ).rejects.toThrow();
  }
}

function requests() {
  return agent.getCallHistory()?.calls() ?? [];
}

beforeEach(() => {
  agent = new MockAgent({ enableCallHistory: true });
  agent.disableNetConnect();
  pool = agent.get(ORIGIN);
  calls = [];
  mapped = [];
});

afterEach(async () => {
  await agent.close();
});

describe('paths and queries', () => {
  it('puts the base path first and encodes each segment on its own', () => {
    const t = transport();
    expect(t.path(['acct', 'addresses', '../../x'])).toBe('/api/v1/acct/addresses/..%2F..%2Fx');
    expect(t.path(['acct', 'addresses', 'a/b?c#d'])).toBe('/api/v1/acct/addresses/a%2Fb%3Fc%23d');
    expect(
      t.path(
        ['x'],
        [
          ['a', 'one two'],
          ['skip', undefined],
          ['n', null],
          ['page', 2],
          ['q', 'a&b=c'],
        ],
      ),
    ).toBe('/api/v1/x?a=one+two&page=2&q=a%26b%3Dc');
  });

  it('refuses segments that a URL parser would resolve or drop', () => {
    const t = transport();
    for (const bad of ['', '.', '..']) {
      expect(() => t.path(['addresses', bad])).toThrow(ValidationError);
    }
    expect(() => t.path(['addresses', '\ud800'])).toThrow(ValidationError);
  });

  it('sends exactly the encoded path, method, JSON body and headers', async () => {
    pool.intercept({ path: '/api/v1/acct/things/a%2Fb', method: 'PUT' }).reply(200, { id: 'a/b' });
    const result = await transport().request({
      method: 'PUT',
      segments: ['acct', 'things', 'a/b'],
      body: { name: 'x' },
      authorization: 'Bearer secret',
      schema: item,
      expect: [200],
    });
    expect(result).toMatchObject({ status: 200, data: { id: 'a/b' } });
    const [log] = requests();
    expect(requests()).toHaveLength(1);
    expect(log?.method).toBe('PUT');
    expect(log?.path).toBe('/api/v1/acct/things/a%2Fb');
    expect(log?.body).toBe('{"name":"x"}');
    expect(log?.headers).toMatchObject({
      authorization: 'Bearer secret',
      'content-type': 'application/json',
      'user-agent': 'mailgraph/0.1',
      accept: 'application/json',
    });
  });

  it('sends no body and no content type without a body', async () => {
    pool.intercept({ path: '/api/v1/x', method: 'GET' }).reply(200, { id: '1' });
    await transport().request({ method: 'GET', segments: ['x'], schema: item, expect: [200] });
    const [log] = requests();
    expect(log?.body).toBeUndefined();
    expect(log?.headers).not.toHaveProperty('content-type');
    expect(log?.headers).not.toHaveProperty('authorization');
  });
});

describe('responses', () => {
  it('returns null data for an expected 204', async () => {
    pool.intercept({ path: '/api/v1/x', method: 'DELETE' }).reply(204, '');
    const result = await transport().request({
      method: 'DELETE',
      segments: ['x'],
      schema: item,
      expect: [202, 204],
    });
    expect(result).toMatchObject({ status: 204, data: null });
  });

  it('treats invalid JSON as a malformed response', async () => {
    pool.intercept({ path: '/api/v1/x', method: 'GET' }).reply(200, '{"id": "unterminated');
    const error = await transport()
      .request({ method: 'GET', segments: ['x'], schema: item, expect: [200] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ code: 'MALFORMED_RESPONSE', status: 200 });
  });

  it('treats valid JSON of the wrong shape as malformed, naming the path but never echoing the body', async () => {
    const secretish = 'S'.repeat(500);
    pool
      .intercept({ path: '/api/v1/x', method: 'GET' })
      .reply(200, [{ id: 'ok' }, { id: 7, note: secretish }]);
    const error = await transport()
      .request({ method: 'GET', segments: ['x'], schema: z.array(item), expect: [200] })
      .then(
        () => new Error('resolved'),
        (e: unknown) => e as Error,
      );
    expect(error).toMatchObject({ code: 'MALFORMED_RESPONSE' });
    expect(error.message).toContain('1.id: invalid_type (expected string, got number)');
    expect(error.message).not.toContain('SSSS');
    expect(error.message.length).toBeLessThan(300);
  });

  it('aborts a body larger than maxResponseBytes while reading it', async () => {
    pool
      .intercept({ path: '/api/v1/x', method: 'GET' })
      .reply(200, JSON.stringify({ id: 'x'.repeat(2_000) }));
    const error = await transport()
      .request({ method: 'GET', segments: ['x'], schema: item, expect: [200] })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'RESPONSE_TOO_LARGE' });
    expect(requests()).toHaveLength(1);
  });

  it('refuses a declared Content-Length beyond the cap without reading', async () => {
    pool
      .intercept({ path: '/api/v1/x', method: 'GET' })
      .reply(200, '{"id":"1"}', { headers: { 'content-length': '999999' } });
    const error = await transport()
      .request({ method: 'GET', segments: ['x'], schema: item, expect: [200] })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'RESPONSE_TOO_LARGE' });
  });

  it('hands an oversized error body to mapError as null instead of failing on size', async () => {
    pool.intercept({ path: '/api/v1/x', method: 'GET' }).reply(404, 'x'.repeat(5_000));
    const error = await transport()
      .request({
        method: 'GET',
        segments: ['x'],
        schema: item,
        expect: [200],
        errorContext: { resource: 'X', id: '1' },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(mapped).toEqual([{ status: 404, body: null }]);
  });

  it('passes parsed JSON error bodies and short text error bodies to mapError', async () => {
    pool.intercept({ path: '/api/v1/a', method: 'GET' }).reply(404, { status: 404, error: 'Not Found' });
    pool.intercept({ path: '/api/v1/b', method: 'GET' }).reply(404, '<html>gone</html>');
    await expectGetsRejected('a', 'b');
    expect(mapped).toEqual([
      { status: 404, body: { status: 404, error: 'Not Found' } },
      { status: 404, body: '<html>gone</html>' },
    ]);
  });

  it('returns a body on a resourceOnStatus status only when it matches the schema', async () => {
    pool.intercept({ path: '/api/v1/v', method: 'POST' }).reply(422, { id: 'd1' });
    pool.intercept({ path: '/api/v1/v', method: 'POST' }).reply(422, { status: 422, error: 'bad' });
    const t = transport();
    const request = {
      method: 'POST' as const,
      segments: ['v'],
      schema: item,
      expect: [200],
      resourceOnStatus: [422],
    };
    await expect(t.request(request)).resolves.toMatchObject({ status: 422, data: { id: 'd1' } });
    await expect(t.request(request)).rejects.toMatchObject({ code: 'UNEXPECTED_STATUS', status: 422 });
    expect(mapped).toEqual([{ status: 422, body: { status: 422, error: 'bad' } }]);
  });

  it('maps an unexpected 2xx through mapError', async () => {
    pool.intercept({ path: '/api/v1/x', method: 'POST' }).reply(200, { id: '1' });
    await expect(
      transport().request({ method: 'POST', segments: ['x'], schema: item, expect: [201] }),
    ).rejects.toMatchObject({ code: 'UNEXPECTED_STATUS', status: 200 });
  });
});

describe('timeouts and retries', () => {
  it('gives up at the deadline with TIMEOUT', async () => {
    pool.intercept({ path: '/api/v1/slow', method: 'POST' }).reply(200, { id: '1' }).delay(1_500);
    const started = Date.now();
    const error = await transport({ timeoutMs: 150 })
      .request({ method: 'POST', segments: ['slow'], schema: item, expect: [200] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ code: 'TIMEOUT', status: null });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(calls).toEqual([expect.objectContaining({ status: null, attempt: 1 })]);
  });

  it('does not retry a GET that timed out (its deadline is spent)', async () => {
    pool.intercept({ path: '/api/v1/slow', method: 'GET' }).reply(200, { id: '1' }).delay(1_500);
    pool.intercept({ path: '/api/v1/slow', method: 'GET' }).reply(200, { id: '2' });
    const error = await transport({ timeoutMs: 150 })
      .request({ method: 'GET', segments: ['slow'], schema: item, expect: [200] })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'TIMEOUT' });
    expect(requests()).toHaveLength(1);
  });

  it.each([502, 503, 504])('retries a GET once after %i', async (status) => {
    pool.intercept({ path: '/api/v1/x', method: 'GET' }).reply(status, 'busy');
    pool.intercept({ path: '/api/v1/x', method: 'GET' }).reply(200, { id: '1' });
    const result = await transport().request({ method: 'GET', segments: ['x'], schema: item, expect: [200] });
    expect(result.data).toEqual({ id: '1' });
    expect(requests()).toHaveLength(2);
    expect(calls.map((call) => [call.status, call.attempt])).toEqual([
      [status, 1],
      [200, 2],
    ]);
  });

  it('retries a GET only once', async () => {
    pool.intercept({ path: '/api/v1/x', method: 'GET' }).reply(503, 'busy').times(3);
    const error = await transport()
      .request({ method: 'GET', segments: ['x'], schema: item, expect: [200] })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 503 });
    expect(requests()).toHaveLength(2);
  });

  it('retries a GET once after a network error', async () => {
    pool.intercept({ path: '/api/v1/x', method: 'GET' }).replyWithError(new Error('socket hang up'));
    pool.intercept({ path: '/api/v1/x', method: 'GET' }).reply(200, { id: '1' });
    const result = await transport().request({ method: 'GET', segments: ['x'], schema: item, expect: [200] });
    expect(result.data).toEqual({ id: '1' });
    expect(requests()).toHaveLength(2);
  });

  it('reports NETWORK when the retry fails too', async () => {
    pool.intercept({ path: '/api/v1/x', method: 'GET' }).replyWithError(new Error('socket hang up')).times(2);
    await expect(
      transport().request({ method: 'GET', segments: ['x'], schema: item, expect: [200] }),
    ).rejects.toMatchObject({ code: 'NETWORK', status: null });
    expect(requests()).toHaveLength(2);
  });

  it.each(['POST', 'PUT', 'DELETE'] as const)('never retries a %s', async (method) => {
    pool.intercept({ path: '/api/v1/x', method }).reply(503, 'busy');
    pool.intercept({ path: '/api/v1/x', method }).replyWithError(new Error('reset'));
    const t = transport();
    await expect(t.request({ method, segments: ['x'], schema: item, expect: [200] })).rejects.toMatchObject({
      status: 503,
    });
    await expect(t.request({ method, segments: ['x'], schema: item, expect: [200] })).rejects.toMatchObject({
      code: 'NETWORK',
    });
    expect(requests()).toHaveLength(2);
  });

  it('never retries a 4xx or a 500', async () => {
    pool.intercept({ path: '/api/v1/a', method: 'GET' }).reply(404, '');
    pool.intercept({ path: '/api/v1/b', method: 'GET' }).reply(500, '');
    await expectGetsRejected('a', 'b');
    expect(requests()).toHaveLength(2);
  });

  it('waits a small jittered backoff before the retry', async () => {
    const waits: number[] = [];
    pool.intercept({ path: '/api/v1/x', method: 'GET' }).reply(502, '');
    pool.intercept({ path: '/api/v1/x', method: 'GET' }).reply(200, { id: '1' });
    await transport({ random: () => 0.5, sleep: async (ms) => void waits.push(ms) }).request({
      method: 'GET',
      segments: ['x'],
      schema: item,
      expect: [200],
    });
    expect(waits).toEqual([100]);
  });
});

describe('onCall', () => {
  it('reports provider, method, path without query, route and status for every attempt', async () => {
    pool.intercept({ path: '/api/v1/acct/things/t1?page=2', method: 'GET' }).reply(200, { id: 't1' });
    await transport().request({
      method: 'GET',
      segments: ['acct', 'things', 't1'],
      query: [['page', 2]],
      schema: item,
      expect: [200],
      route: '/things/{id}',
    });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      provider: 'CLOUDMAILIN',
      method: 'GET',
      path: '/api/v1/acct/things/t1',
      route: '/things/{id}',
      status: 200,
      attempt: 1,
    });
    expect(calls[0]?.durationMs).toBeGreaterThanOrEqual(0);
  });
});
