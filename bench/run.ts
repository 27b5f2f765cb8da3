/**
 * `npm run bench`: measures mailgraph over real HTTP against the sandbox emulator, both on loopback.
 * For each scenario it records the upstream calls one operation costs (cold, then warm within the cache
 * TTL) and the throughput and latency of the warm path under load (autocannon). Results are printed and
 * written to bench/results/<timestamp>.json. Numbers depend on the machine; compare runs on one machine.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { startStack } from '../test/helpers/stack.js';

interface Scenario {
  name: string;
  query: string;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'outbound-20-with-events',
    query:
      '{ outboundMessages(first: 20) { edges { node { id subject recipients { email lastEvent events { kind timestamp details { replyCode remoteHost } } } } } } }',
  },
  {
    name: 'addresses-with-statuses-and-domains',
    query:
      '{ inboundAddresses(first: 10) { edges { node { id nickname incomingStatuses(first: 10) { edges { node { subject outcome } } } customDomains(first: 5) { edges { node { domain } } } } } } }',
  },
  {
    name: 'sending-domains-dns-records',
    query:
      '{ sendingDomains(first: 20) { edges { node { domain verified dnsRecords { type name value verified } } } } }',
  },
];

const DURATION_SECONDS = Number(process.env.BENCH_DURATION_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);

async function main(): Promise<void> {
  const stack = await startStack({ env: { MAILGRAPH_CACHE_TTL_SECONDS: '3600' } });
  const results: Record<string, unknown>[] = [];
  try {
    for (const scenario of SCENARIOS) {
      const body = JSON.stringify({ query: scenario.query });
      const send = () =>
        fetch(`${stack.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        }).then(async (response) => {
          const json = (await response.json()) as { errors?: unknown };
          if (response.status !== 200 || json.errors)
            throw new Error(`${scenario.name}: ${JSON.stringify(json)}`);
        });
      stack.sandbox.resetCalls();
      await send();
      const coldCalls = stack.sandbox.calls.length;
      stack.sandbox.resetCalls();
      await send();
      const warmCalls = stack.sandbox.calls.length;

      const load = await autocannon({
        url: `${stack.url}/graphql`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        connections: CONNECTIONS,
        duration: DURATION_SECONDS,
      });
      const result = {
        scenario: scenario.name,
        upstreamCallsCold: coldCalls,
        upstreamCallsWarm: warmCalls,
        upstreamCallsDuringLoad: stack.sandbox.calls.length,
        requestsPerSecond: load.requests.average,
        latencyMs: {
          p50: load.latency.p50,
          p90: load.latency.p90,
          p99: load.latency.p99,
          max: load.latency.max,
        },
        non2xx: load.non2xx,
        errors: load.errors,
        timeouts: load.timeouts,
      };
      results.push(result);
      console.log(JSON.stringify(result));
    }
  } finally {
    await stack.close();
  }
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  const file = new URL(`./results/${new Date().toISOString().replace(/[:.]/g, '-')}.json`, import.meta.url);
  writeFileSync(
    file,
    `${JSON.stringify({ node: process.version, durationSeconds: DURATION_SECONDS, connections: CONNECTIONS, results }, null, 2)}\n`,
  );
  console.log(`written ${file.pathname}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
