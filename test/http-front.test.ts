/**
 * The node:http front (src/http-server.ts) and yoga's HTTP options (src/app.ts): the key is checked before a
 * byte of the body is read, body size follows the caller's scopes, variables are bounded before they are
 * parsed, browsers from other origins get neither CORS nor a way to run a mutation with a form, and
 * graphql-armor's refusals answer with the status GraphQL over HTTP prescribes.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './helpers/stack.js';

const READER = 'reader-key-0123456789';
const SENDER = 'sender-key-0123456789';
const KEYS = `${READER}:read,${SENDER}:send`;
const MiB = 1024 * 1024;

let secured: Stack;
let open: Stack;
beforeAll(async () => {
  [secured, open] = await Promise.all([startStack({ env: { MAILGRAPH_API_KEYS: KEYS } }), startStack()]);
});
afterAll(() => Promise.all([secured.close(), open.close()]));

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}

async function send(stack: Stack, init: RequestInit & { path?: string } = {}): Promise<Answer> {
  const response = await fetch(`${stack.url}${init.path ?? '/graphql'}`, {
    method: 'POST',
    ...init,
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(init.headers as Record<string, string>),
    },
  });
  const text = await response.text();
  let json: Answer['json'] = {};
  try {
    json = JSON.parse(text);
  } catch {
    // not every refusal is a GraphQL response
  }
  return { status: response.status, headers: response.headers, text, json };
}

/**
 * Sends the request head and `partial` bytes of a body that claims `length` bytes, then waits for the
 * status line: a server that reads the whole body before answering never answers (the test times out).
 */
function statusBeforeBody(stack: Stack, headers: Record<string, string>, length: number): Promise<string> {
  const { port } = new URL(stack.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      const line = received.indexOf('\r\n');
      if (line >= 0) {
        resolve(received.slice(0, line));
        socket.destroy();
      }
    });
    socket.on('error', reject);
    const head = Object.entries({ ...headers, 'content-length': String(length) })
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.write(`POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\n${head}\r\n`);
    socket.write(`{"query":"{ __typename }","variables":{"pad":[${'['.repeat(1000)}`);
  });
}

describe('the API key is checked before the body is read', () => {
  it('answers 401 to a large body without a key while the body is still arriving', async () => {
    const status = await statusBeforeBody(
      secured,
      { 'content-type': 'application/json', accept: 'application/json' },
      15 * MiB,
    );
    expect(status).toBe('HTTP/1.1 401 Unauthorized');
    const wrongKey = await statusBeforeBody(
      secured,
      { 'content-type': 'application/json', authorization: 'Bearer wrong-key-0123456789' },
      15 * MiB,
    );
    expect(wrongKey).toBe('HTTP/1.1 401 Unauthorized');
  });

  it('tells an unauthenticated caller nothing about the schema', async () => {
    secured.sandbox.resetCalls();
    for (const query of [
      '{ inboundAdresses { id } }',
      '{ __schema { types { name fields { name } } } }',
      '{ __type(name: "SendEmailInput") { inputFields { name } } }',
      'query($x: SendEmailInput!) { __typename }',
      '{ inboundAddresses(first: 1) { nodes { nope } } }',
      'mutation { sendEmail(input: {}) { __typename } }',
      '{ inboundAddresses(',
    ]) {
      for (const accept of ['application/graphql-response+json', 'application/json']) {
        const answer = await send(secured, { body: JSON.stringify({ query }), headers: { accept } });
        expect(answer.status, query).toBe(401);
        expect(answer.headers.get('www-authenticate')).toBe('Bearer');
        expect(answer.json.errors).toEqual([
          {
            message: 'Missing or unknown API key: send Authorization: Bearer <key>.',
            extensions: { code: 'UNAUTHENTICATED' },
          },
        ]);
        expect(answer.text).not.toMatch(/inboundAddress|Did you mean|SendEmailInput|Cannot query|Syntax/);
      }
    }
    // Over GET too, with the query in the URL.
    const get = await fetch(
      `${secured.url}/graphql?query=${encodeURIComponent('{ inboundAdresses { id } }')}`,
      { headers: { accept: 'application/json', 'x-graphql-yoga-csrf': '1' } },
    );
    expect(get.status).toBe(401);
    expect(await get.text()).not.toMatch(/Did you mean/);
    expect(secured.sandbox.calls).toHaveLength(0);
  });

  it('still answers /health and CORS preflights without a key', async () => {
    expect((await fetch(`${secured.url}/health`)).status).toBe(200);
    const preflight = await fetch(`${secured.url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
  });
});

describe('request body limits follow the caller’s scopes', () => {
  const padded = (bytes: number) =>
    JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(bytes) } });

  it('gives callers without `send` a small limit and senders the attachment-sized one', async () => {
    const body = padded(2 * MiB);
    const reader = await send(secured, { body, headers: { authorization: `Bearer ${READER}` } });
    expect(reader.status).toBe(413);
    expect(reader.json.errors?.[0]?.message).toBe(`The request body exceeds ${MiB} bytes.`);
    const sender = await send(secured, { body, headers: { authorization: `Bearer ${SENDER}` } });
    expect(sender.status).toBe(200);
    expect(sender.json.data).toEqual({ __typename: 'Query' });
    const small = await send(secured, { body: padded(1000), headers: { authorization: `Bearer ${READER}` } });
    expect(small.status).toBe(200);
    const huge = await send(secured, {
      body: padded(17 * MiB),
      headers: { authorization: `Bearer ${SENDER}` },
    });
    expect(huge.status).toBe(413);
    expect(huge.json.errors?.[0]?.message).toBe(`The request body exceeds ${16 * MiB} bytes.`);
  });

  it('reads the limits from MAILGRAPH_MAX_BODY_BYTES and MAILGRAPH_MAX_SEND_BODY_BYTES', async () => {
    const tight = await startStack({
      env: {
        MAILGRAPH_API_KEYS: KEYS,
        MAILGRAPH_MAX_BODY_BYTES: '2048',
        MAILGRAPH_MAX_SEND_BODY_BYTES: '4096',
      },
    });
    try {
      const reader = await send(tight, {
        body: padded(3000),
        headers: { authorization: `Bearer ${READER}` },
      });
      expect(reader.status).toBe(413);
      const sender = await send(tight, {
        body: padded(3000),
        headers: { authorization: `Bearer ${SENDER}` },
      });
      expect(sender.status).toBe(200);
      const over = await send(tight, { body: padded(5000), headers: { authorization: `Bearer ${SENDER}` } });
      expect(over.status).toBe(413);
    } finally {
      await tight.close();
    }
  });
});

describe('variables are bounded in depth and count before they are parsed', () => {
  const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  it('refuses deeply nested variables and too many values with 400, before any upstream call', async () => {
    open.sandbox.resetCalls();
    const deep = await send(open, { body: `{"query":"{ __typename }","variables":{"a":${nested(64)}}}` });
    expect(deep.status).toBe(400);
    expect(deep.json.errors?.[0]).toMatchObject({
      message: 'The request nests deeper than 16 levels.',
      extensions: { code: 'BAD_REQUEST' },
    });
    const many = await send(open, {
      body: JSON.stringify({
        query: '{ __typename }',
        variables: { a: Array.from({ length: 20_000 }, () => 1) },
      }),
    });
    expect(many.status).toBe(400);
    expect(many.json.errors?.[0]).toMatchObject({
      message: 'The request holds more than 10000 values.',
      extensions: { code: 'BAD_REQUEST' },
    });
    // The same bounds over GET.
    const get = await fetch(
      `${open.url}/graphql?query=${encodeURIComponent('{ __typename }')}&variables=${encodeURIComponent(`{"a":${nested(64)}}`)}`,
      { headers: { accept: 'application/graphql-response+json', 'x-graphql-yoga-csrf': '1' } },
    );
    expect(get.status).toBe(400);
    expect(((await get.json()) as Answer['json']).errors?.[0]?.message).toBe(
      'The request nests deeper than 16 levels.',
    );
    // Brackets inside strings are text, not nesting.
    const inString = await send(open, {
      body: JSON.stringify({ query: '{ __typename }', variables: { a: nested(64), b: '\\"[[' } }),
    });
    expect(inString.status).toBe(200);
    expect(open.sandbox.calls).toHaveLength(0);
  });

  it('lets a realistic send through: 50 recipients, headers and attachments', async () => {
    const recipients = (kind: string) =>
      Array.from({ length: 50 }, (_, i) => ({ email: `${kind}${i}@example.net`, name: `${kind} ${i}` }));
    const answer = await send(open, {
      body: JSON.stringify({
        query: `mutation($input: SendEmailInput!) { sendEmail(input: $input) { __typename } }`,
        variables: {
          input: {
            provider: 'CLOUDFLARE',
            from: { email: 'reports@mail.example.com' },
            to: recipients('to').slice(0, 20),
            cc: recipients('cc').slice(0, 15),
            bcc: recipients('bcc').slice(0, 15),
            subject: 'Report',
            text: 'See attached.',
            attachments: [{ filename: 'report.txt', contentType: 'text/plain', contentBase64: 'aGVsbG8=' }],
            headers: [{ name: 'X-Report', value: 'monthly' }],
          },
        },
      }),
    });
    expect(answer.status).toBe(200);
    expect(answer.json.data).toEqual({ sendEmail: { __typename: 'SendEmailPayload' } });
  });
});

describe('cross-site requests', () => {
  it('answers no cross-origin read unless MAILGRAPH_CORS_ORIGINS lists the origin, never with credentials', async () => {
    const evil = await send(open, {
      body: JSON.stringify({ query: '{ __typename }' }),
      headers: { origin: 'https://evil.example' },
    });
    expect(evil.status).toBe(200);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect(evil.headers.get('access-control-allow-credentials')).toBeNull();

    const listed = await startStack({
      env: { MAILGRAPH_CORS_ORIGINS: 'https://app.example.com,http://localhost:5173' },
    });
    try {
      const app = await send(listed, {
        body: JSON.stringify({ query: '{ __typename }' }),
        headers: { origin: 'https://app.example.com' },
      });
      expect(app.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
      expect(app.headers.get('access-control-allow-credentials')).toBeNull();
      expect(app.headers.get('vary')).toMatch(/Origin/);
      const other = await send(listed, {
        body: JSON.stringify({ query: '{ __typename }' }),
        headers: { origin: 'https://evil.example' },
      });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
      expect(other.headers.get('vary')).toMatch(/Origin/);

      const preflight = await fetch(`${listed.url}/graphql`, {
        method: 'OPTIONS',
        headers: {
          origin: 'http://localhost:5173',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      expect(preflight.headers.get('access-control-allow-methods')).toBe('GET, POST, PUT, DELETE');
      expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
      // graphql-sse's single-connection mode sends its stream token from the page.
      expect(preflight.headers.get('access-control-allow-headers')).toContain('x-graphql-event-stream-token');
      expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
      const refused = await fetch(`${listed.url}/graphql`, {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      });
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await listed.close();
    }
  });

  it('refuses the POST bodies a form or a simple cross-site request can send, and runs no mutation', async () => {
    const id = 'aaaa740b4c5c37b1aaaa';
    const mutation = `mutation { deleteInboundAddress(id: "${id}") { __typename } }`;
    const multipart = new FormData();
    multipart.set('query', mutation);
    const attempts: Array<[string, BodyInit]> = [
      ['application/x-www-form-urlencoded', new URLSearchParams({ query: mutation }).toString()],
      ['text/plain', JSON.stringify({ query: mutation })],
      ['text/plain;charset=UTF-8', JSON.stringify({ query: mutation })],
      ['application/graphql', mutation],
    ];
    for (const [type, body] of attempts) {
      const answer = await send(open, {
        body,
        headers: { 'content-type': type, origin: 'https://evil.example' },
      });
      expect(answer.status, type).toBe(415);
      expect(answer.json.errors?.[0]?.message).toBe('A GraphQL request body must be application/json.');
    }
    const form = await fetch(`${open.url}/graphql`, { method: 'POST', body: multipart });
    expect(form.status).toBe(415);
    expect(open.sandbox.cloudmailin.addresses().some((address) => address.id === id)).toBe(true);
  });

  it('requires a header no simple cross-site request carries on GET (CSRF prevention)', async () => {
    const url = `${open.url}/graphql?query=${encodeURIComponent('{ __typename }')}`;
    const bare = await fetch(url, { headers: { accept: 'application/graphql-response+json' } });
    expect(bare.status).toBe(403);
    for (const header of ['x-graphql-yoga-csrf', 'apollo-require-preflight']) {
      const allowed = await fetch(url, {
        headers: { accept: 'application/graphql-response+json', [header]: '1' },
      });
      expect(allowed.status, header).toBe(200);
    }
  });
});

describe('content negotiation', () => {
  it('refuses an Accept it cannot answer in before the operation runs (a send must not go out behind a 406)', async () => {
    open.sandbox.resetCalls();
    const mutation = `mutation {
      sendEmail(input: { provider: CLOUDMAILIN, from: { email: "hello@example.com" },
        to: [{ email: "alice@example.net" }], subject: "406", text: "never sent" }) { __typename }
    }`;
    for (const accept of [
      'application/xml',
      'text/html;q=0.9, image/*',
      'application/json; charset=latin1',
    ]) {
      const answer = await send(open, { body: JSON.stringify({ query: mutation }), headers: { accept } });
      expect(answer.status, accept).toBe(406);
      expect(answer.json.errors?.[0]?.message).toBe(
        'The answer can only be one of application/graphql-response+json, application/json, text/event-stream, multipart/mixed.',
      );
    }
    expect(open.sandbox.calls).toHaveLength(0);
    for (const accept of ['*/*', 'application/*', 'application/json;q=0.5, text/html']) {
      const answer = await send(open, {
        body: JSON.stringify({ query: '{ __typename }' }),
        headers: { accept },
      });
      expect(answer.status, accept).toBe(200);
    }
  });
});

describe('graphql-armor refusals answer as GraphQL over HTTP prescribes', () => {
  let deep = 'id';
  for (let i = 0; i < 5; i += 1) deep = `incomingStatuses(first: 1) { nodes { address { ${deep} } } }`;
  const refusals: Array<[string, string, RegExp, string]> = [
    [
      'depth',
      `{ inboundAddress(id: "x") { ${deep} } }`,
      /^Query depth limit of 10 exceeded/,
      'GRAPHQL_VALIDATION_FAILED',
    ],
    [
      'aliases',
      `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: rateLimits { provider }`).join(' ')} }`,
      /^Aliases limit of 15 exceeded/,
      'GRAPHQL_VALIDATION_FAILED',
    ],
    [
      'directives',
      `{ ${Array.from({ length: 21 }, (_, i) => `f${i}: __typename @include(if: true)`).join(' ')} }`,
      /^Directives limit of 20 exceeded/,
      'GRAPHQL_VALIDATION_FAILED',
    ],
    [
      'tokens',
      `{ ${'__typename '.repeat(3001)} }`,
      /^Syntax Error: Token limit of 3000 exceeded/,
      'GRAPHQL_PARSE_FAILED',
    ],
  ];

  it.each(refusals)(
    '%s: 400 under application/graphql-response+json, 200 under application/json',
    async (_name, query, message, code) => {
      open.sandbox.resetCalls();
      for (const [accept, status] of [
        ['application/graphql-response+json', 400],
        ['application/json', 200],
      ] as const) {
        const answer = await send(open, { body: JSON.stringify({ query }), headers: { accept } });
        expect(answer.status, accept).toBe(status);
        expect(answer.headers.get('content-type')).toContain(accept);
        expect(answer.json.data).toBeUndefined();
        expect(answer.json.errors?.[0]?.message).toMatch(message);
        expect(answer.json.errors?.[0]?.extensions?.code).toBe(code);
      }
      expect(open.sandbox.calls).toHaveLength(0);
    },
  );
});
