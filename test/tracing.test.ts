/**
 * OpenTelemetry traces (issue 10 item 4): one span per GraphQL operation, one CLIENT span per upstream call
 * as its child, nothing secret in them; nothing at all (not even the SDK) when no endpoint is configured;
 * and, with one, spans exported over OTLP/HTTP and flushed on SIGTERM.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { parse } from 'graphql';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CLOUDFLARE, SANDBOX_CLOUDMAILIN } from '../src/demo-accounts.js';
import { type Tracing, currentTraceId, startTracing, startUpstreamSpan } from '../src/tracing.js';
import { type FaultUpstream, serverError, startFaultUpstream } from './helpers/fault-upstream.js';
import { startServerProcess } from './helpers/server-process.js';
import { type Stack, startStack } from './helpers/stack.js';

/** One list of addresses, then each address's statuses: 1 + 3 upstream calls, cold. */
const AddressesWithStatuses = parse(`
  query TracedAddresses {
    inboundAddresses(first: 3) { nodes { addressId incomingStatuses(first: 2) { nodes { id } } } }
  }
`);
const Addresses = parse('{ inboundAddresses(first: 2) { nodes { addressId } } }');

const SECRETS = [
  SANDBOX_CLOUDMAILIN.apiKey,
  SANDBOX_CLOUDMAILIN.smtpToken,
  SANDBOX_CLOUDMAILIN.accountId,
  SANDBOX_CLOUDFLARE.apiToken,
  SANDBOX_CLOUDFLARE.accountId,
];

/** Every text a span carries: its name, its attributes' values, its status message. */
function textsOf(span: ReadableSpan): string[] {
  return [span.name, span.status.message ?? '', ...Object.values(span.attributes).map(String)];
}

describe('spans of an operation and its upstream calls (in-memory exporter)', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing | null = null;
  const stacks: Stack[] = [];
  const fakes: FaultUpstream[] = [];

  beforeAll(async () => {
    tracing = await startTracing({ tracesUrl: null, serviceName: 'mailgraph-test' }, { exporter });
  });
  afterAll(async () => {
    await tracing?.shutdown();
  });
  afterEach(async () => {
    await Promise.all(stacks.splice(0).map((stack) => stack.close()));
    await Promise.all(fakes.splice(0).map((fake) => fake.close()));
    exporter.reset();
  });

  async function finished(): Promise<ReadableSpan[]> {
    await tracing?.flush();
    return exporter.getFinishedSpans();
  }

  it('one operation span, and one child CLIENT span per upstream call, with no id or secret in them', async () => {
    const stack = await startStack();
    stacks.push(stack);
    const result = await stack.gql(AddressesWithStatuses);
    expect(result.errors).toBeUndefined();
    const upstreamCalls = (result.extensions?.cost as { upstreamCalls: number }).upstreamCalls;
    expect(upstreamCalls).toBe(4);

    const spans = await finished();
    const operations = spans.filter((span) => span.kind === SpanKind.SERVER);
    expect(operations.map((span) => span.name)).toEqual(['graphql.query TracedAddresses']);
    const [operation] = operations as [ReadableSpan];
    expect(operation.attributes).toMatchObject({
      'graphql.operation.type': 'query',
      'graphql.operation.name': 'TracedAddresses',
    });
    expect(operation.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(operation.resource.attributes['service.name']).toBe('mailgraph-test');

    const calls = spans.filter((span) => span.kind === SpanKind.CLIENT);
    expect(calls).toHaveLength(upstreamCalls);
    for (const call of calls) {
      expect(call.spanContext().traceId).toBe(operation.spanContext().traceId);
      expect(call.parentSpanContext?.spanId).toBe(operation.spanContext().spanId);
      expect(call.attributes).toMatchObject({
        'http.request.method': 'GET',
        'http.response.status_code': 200,
        'server.address': '127.0.0.1',
        'mailgraph.provider': 'CLOUDMAILIN',
      });
      expect(call.name).toBe(`GET ${call.attributes['url.template']}`);
    }
    expect(calls.map((call) => call.attributes['url.template']).sort()).toEqual([
      '/addresses',
      '/incoming_statuses',
      '/incoming_statuses',
      '/incoming_statuses',
    ]);

    // Neither the credentials nor the ids the provider answered with appear anywhere in a span.
    const nodes = (result.data as { inboundAddresses: { nodes: Array<{ addressId: string }> } })
      .inboundAddresses.nodes;
    const forbidden = [...SECRETS, ...nodes.map((node) => node.addressId)];
    expect(forbidden.length).toBeGreaterThan(SECRETS.length);
    for (const text of spans.flatMap(textsOf)) {
      for (const secret of forbidden) expect(text).not.toContain(secret);
      expect(text).not.toMatch(/@|https?:/);
    }
  });

  it('a failing upstream call marks its span and the operation span as errors; a retry is its own span', async () => {
    const stack = await startStack({
      cloudmailinUrl: async (url) => {
        const fake = await startFaultUpstream(url);
        fakes.push(fake);
        fake.on({ path: '/addresses' }, serverError(503), { times: 2 });
        return fake.url;
      },
    });
    stacks.push(stack);
    const result = await stack.gql(Addresses);
    expect(result.errors?.[0]?.extensions?.code).toBe('UPSTREAM_SERVER_ERROR');
    expect((result.extensions?.cost as { upstreamCalls: number }).upstreamCalls).toBe(2);

    const spans = await finished();
    const [operation, ...others] = spans.filter((span) => span.kind === SpanKind.SERVER);
    expect(others).toHaveLength(0);
    expect(operation?.name).toBe('graphql.query anonymous');
    expect(operation?.attributes['graphql.operation.name']).toBeUndefined();
    expect(operation?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'SERVER_ERROR' });
    const calls = spans.filter((span) => span.kind === SpanKind.CLIENT);
    expect(calls.map((call) => [call.attributes['http.request.resend_count'], call.status.code])).toEqual([
      [undefined, SpanStatusCode.ERROR],
      [1, SpanStatusCode.ERROR],
    ]);
    for (const call of calls) {
      expect(call.parentSpanContext?.spanId).toBe(operation?.spanContext().spanId);
      expect(call.attributes).toMatchObject({
        'http.response.status_code': 503,
        'error.type': 'SERVER_ERROR',
      });
    }
  });
});

describe('tracing off', () => {
  it('starts nothing without an endpoint, and the transport makes no span, not even a no-op one', async () => {
    expect(await startTracing({ tracesUrl: null, serviceName: 'mailgraph' })).toBeNull();
    const facts = {
      provider: 'CLOUDMAILIN',
      method: 'GET',
      route: '/addresses',
      host: '127.0.0.1',
      port: undefined,
      attempt: 1,
    } as const;
    expect(startUpstreamSpan(facts)).toBeNull();
    expect(currentTraceId()).toBeUndefined();
    // The same call while tracing runs does make one (so the check above can fail).
    const tracing = await startTracing(
      { tracesUrl: null, serviceName: 'mailgraph' },
      { exporter: new InMemorySpanExporter() },
    );
    try {
      expect(startUpstreamSpan(facts)?.isRecording()).toBe(true);
    } finally {
      await tracing?.shutdown();
    }
    expect(startUpstreamSpan(facts)).toBeNull();
  });
});

/** A loopback OTLP/HTTP receiver: records every POST to /v1/traces. */
async function startReceiver(): Promise<{ url: string; exports: Buffer[]; server: Server }> {
  const exports: Buffer[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') exports.push(Buffer.concat(chunks));
      res.writeHead(200, { 'content-type': 'application/x-protobuf' });
      res.end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, exports, server };
}

/**
 * A module `--import`ed into the server process that prints, as it exits, which `@opentelemetry/*`
 * packages were loaded (the SDK's packages are CommonJS, so they are all in the require cache).
 */
function writeLoadRecorder(dir: string): string {
  const file = join(dir, 'record-opentelemetry.mjs');
  writeFileSync(
    file,
    `import { createRequire } from 'node:module';
const cache = createRequire(import.meta.url).cache;
process.on('exit', () => {
  const packages = new Set();
  for (const path of Object.keys(cache)) {
    const match = /node_modules\\/(@opentelemetry\\/[^/]+)/.exec(path);
    if (match) packages.add(match[1]);
  }
  process.stderr.write('opentelemetry packages loaded: ' + JSON.stringify([...packages].sort()) + '\\n');
});
`,
  );
  return pathToFileURL(file).href;
}

/** Runs mailgraph as a process with `env`, makes one query, stops it with SIGTERM; what it loaded. */
async function oneQueryInAProcess(
  env: Record<string, string>,
): Promise<{ packages: string[]; exit: number | null }> {
  const dir = mkdtempSync(join(tmpdir(), 'mailgraph-tracing-'));
  try {
    const running = await startServerProcess({
      MAILGRAPH_SANDBOX: 'true',
      MAILGRAPH_DATA_DIR: join(dir, 'data'),
      NODE_OPTIONS: `--import=${writeLoadRecorder(dir)}`,
      ...env,
    });
    let output = '';
    running.child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const closed = once(running.child, 'close');
    const response = await fetch(running.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ inboundAddresses(first: 2) { nodes { addressId } } }' }),
    });
    expect(response.status).toBe(200);
    running.child.kill('SIGTERM');
    const exit = await running.exited;
    await closed;
    const line = /opentelemetry packages loaded: (.*)/.exec(output)?.[1];
    expect(line, output).toBeDefined();
    return { packages: JSON.parse(line as string) as string[], exit };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('mailgraph as a process', () => {
  it('without OTEL_EXPORTER_OTLP_ENDPOINT loads no OpenTelemetry SDK, only the API', async () => {
    const { packages, exit } = await oneQueryInAProcess({});
    expect(exit).toBe(0);
    expect(packages.filter((name) => name !== '@opentelemetry/api')).toEqual([]);
  });

  it('with OTEL_EXPORTER_OTLP_ENDPOINT exports the spans over OTLP/HTTP, flushed on SIGTERM', async () => {
    const receiver = await startReceiver();
    try {
      // The batch processor waits 5 s between exports: only the shutdown can have sent them this soon.
      const { packages, exit } = await oneQueryInAProcess({
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_SERVICE_NAME: 'mailgraph-otlp-test',
      });
      expect(exit).toBe(0);
      expect(packages).toEqual(
        expect.arrayContaining(['@opentelemetry/sdk-trace-node', '@opentelemetry/exporter-trace-otlp-proto']),
      );
      expect(receiver.exports.length).toBeGreaterThanOrEqual(1);
      // Protobuf keeps strings as UTF-8 bytes: the resource, the operation span and the upstream call's.
      const sent = Buffer.concat(receiver.exports).toString('latin1');
      expect(sent).toContain('mailgraph-otlp-test');
      expect(sent).toContain('graphql.query anonymous');
      expect(sent).toContain('GET /addresses');
      for (const secret of SECRETS) expect(sent).not.toContain(secret);
    } finally {
      receiver.server.close();
    }
  });
});
