/**
 * A request id in every log line of a request (issue 10 item 4): the client's sane `x-request-id` or a new
 * UUID, echoed in the response, and carried by each line the logger writes while serving the request (here
 * the upstream failure lines, written deep in the transport), never another request's.
 */
import { connect } from 'node:net';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, requestIdFrom } from '../src/request-context.js';
import { startTracing } from '../src/tracing.js';
import { type Fault, type FaultUpstream, serverError, startFaultUpstream } from './helpers/fault-upstream.js';
import { type Stack, startStack } from './helpers/stack.js';

const ADDRESSES = '{ inboundAddresses(first: 2) { nodes { addressId } } }';
const CLOUDFLARE_DOMAINS = '{ sendingDomains(first: 2, provider: CLOUDFLARE) { nodes { id } } }';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

type LogLine = Record<string, unknown> & { msg: string };

const stacks: Stack[] = [];
const fakes: FaultUpstream[] = [];
afterEach(async () => {
  await Promise.all(stacks.splice(0).map((stack) => stack.close()));
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

/** A stack whose two providers sit behind fault injectors, logging to `lines` through mailgraph's own logger. */
async function loggedStack(): Promise<{
  stack: Stack;
  cloudmailin: FaultUpstream;
  cloudflare: FaultUpstream;
  lines: LogLine[];
}> {
  const lines: LogLine[] = [];
  const logger = createLogger('debug', { write: (line: string) => void lines.push(JSON.parse(line)) });
  const injectors: FaultUpstream[] = [];
  const behind = async (url: string) => {
    const fake = await startFaultUpstream(url);
    fakes.push(fake);
    injectors.push(fake);
    return fake.url;
  };
  const stack = await startStack({
    env: { MAILGRAPH_UPSTREAM_TIMEOUT_MS: '5000' },
    cloudmailinUrl: behind,
    cloudflareUrl: behind,
    upstreamLogger: logger,
  });
  stacks.push(stack);
  const [cloudmailin, cloudflare] = injectors as [FaultUpstream, FaultUpstream];
  return { stack, cloudmailin, cloudflare, lines };
}

async function post(stack: Stack, query: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${stack.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
  return { requestId: response.headers.get('x-request-id'), body };
}

function failures(lines: LogLine[]): LogLine[] {
  return lines.filter((line) => line.msg === 'upstream call failed');
}

/** The raw header block of a request sent over a plain socket (fetch refuses to send what is tested here). */
function rawRequest(stack: Stack, headerLines: string[]): Promise<string> {
  const { port } = new URL(stack.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (received.includes('\r\n\r\n')) socket.destroy();
    });
    socket.on('close', () => resolve(received.split('\r\n\r\n')[0] ?? ''));
    socket.on('error', reject);
    socket.write(
      ['GET /health HTTP/1.1', 'host: 127.0.0.1', 'connection: close', ...headerLines, '', ''].join('\r\n'),
    );
  });
}

describe('request ids', () => {
  it("a failed upstream call's warn line carries the request id the response names", async () => {
    const { stack, cloudmailin, lines } = await loggedStack();
    cloudmailin.on({ path: '/addresses' }, serverError(503), { times: 2 });

    const chosen = await post(stack, ADDRESSES, { 'x-request-id': 'edge-proxy:7f3a.91_b-2' });
    expect(chosen.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_SERVER_ERROR');
    expect(chosen.requestId).toBe('edge-proxy:7f3a.91_b-2');
    // A read is tried twice: two lines, both the request's.
    expect(failures(lines).map((line) => [line.requestId, line.attempt])).toEqual([
      ['edge-proxy:7f3a.91_b-2', 1],
      ['edge-proxy:7f3a.91_b-2', 2],
    ]);

    lines.length = 0;
    cloudmailin.on({ path: '/addresses' }, serverError(500), { times: 1 });
    const fresh = await post(stack, ADDRESSES);
    expect(fresh.requestId).toMatch(UUID);
    expect(failures(lines).map((line) => line.requestId)).toEqual([fresh.requestId]);
  });

  it('a hostile x-request-id is replaced by a new id, never echoed', async () => {
    const { stack } = await loggedStack();
    const hostile = ['a'.repeat(129), '"quoted"', "it's", 'two words', '<script>', 'tab\there', 'ünï'];
    for (const value of hostile) {
      const head = await rawRequest(stack, [`x-request-id: ${value}`]);
      const echoed = /^x-request-id: (.*)$/im.exec(head)?.[1];
      expect(echoed, value).toMatch(UUID);
    }
    // Two ids in one request (a proxy appending its own) make one unusable value: replaced as well.
    const twice = await rawRequest(stack, ['x-request-id: first-id', 'x-request-id: second-id']);
    expect(/^x-request-id: (.*)$/im.exec(twice)?.[1]).toMatch(UUID);
    // A sane one is kept as it is, up to 128 characters.
    const longest = 'k'.repeat(128);
    expect(/^x-request-id: (.*)$/im.exec(await rawRequest(stack, [`x-request-id: ${longest}`]))?.[1]).toBe(
      longest,
    );
    // What no header can carry (a line break, a NUL) is refused by the id's own check too.
    for (const value of ['line\nbreak', 'line\r\nx-evil: 1', 'nul\u0000', '', undefined]) {
      expect(requestIdFrom(value)).toMatch(UUID);
    }
  });

  it('two requests in flight at once never get each other’s id in their log lines', async () => {
    const { stack, cloudmailin, cloudflare, lines } = await loggedStack();
    // The CloudMailin request's first attempt waits at its provider while the Cloudflare request runs,
    // fails twice and logs; then the CloudMailin one fails twice too.
    // biome-ignore lint/suspicious/noThenProperty: the fault injector's name for what follows the delay.
    const slowFailure: Fault = { kind: 'delay', ms: 1_500, then: serverError(503) };
    cloudmailin.on({ path: '/addresses' }, slowFailure, { times: 1 });
    cloudmailin.on({ path: '/addresses' }, serverError(503), { times: 1 });
    cloudflare.on({ path: '/subdomains' }, serverError(503), { times: 2 });
    const first = post(stack, ADDRESSES, { 'x-request-id': 'request-cloudmailin' });
    await vi.waitFor(() => expect(cloudmailin.hits).toHaveLength(1));
    const second = post(stack, CLOUDFLARE_DOMAINS, { 'x-request-id': 'request-cloudflare' });
    const [a, b] = await Promise.all([first, second]);
    expect([a.requestId, b.requestId]).toEqual(['request-cloudmailin', 'request-cloudflare']);

    const logged = failures(lines);
    // Interleaved: the Cloudflare request's lines were written while the CloudMailin one was in flight.
    expect(logged.map((line) => line.provider)).toEqual([
      'CLOUDFLARE',
      'CLOUDFLARE',
      'CLOUDMAILIN',
      'CLOUDMAILIN',
    ]);
    for (const line of logged) {
      expect(line.requestId).toBe(
        line.provider === 'CLOUDMAILIN' ? 'request-cloudmailin' : 'request-cloudflare',
      );
    }
  });

  it('while tracing, each line also names the trace of its operation', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = await startTracing({ tracesUrl: null, serviceName: 'mailgraph' }, { exporter });
    try {
      const { stack, cloudmailin, lines } = await loggedStack();
      cloudmailin.on({ path: '/addresses' }, serverError(500), { times: 1 });
      const { requestId } = await post(stack, ADDRESSES);
      await tracing?.flush();
      const traces = new Set(exporter.getFinishedSpans().map((span) => span.spanContext().traceId));
      expect(traces.size).toBe(1);
      expect(failures(lines).map((line) => [line.requestId, line.traceId])).toEqual([
        [requestId, [...traces][0]],
      ]);
    } finally {
      await tracing?.shutdown();
    }
    // Once tracing stops, lines carry the request id alone.
    const { stack, cloudmailin, lines } = await loggedStack();
    cloudmailin.on({ path: '/addresses' }, serverError(500), { times: 1 });
    await post(stack, ADDRESSES);
    expect(failures(lines)).toHaveLength(1);
    expect(failures(lines)[0]).not.toHaveProperty('traceId');
  });
});
