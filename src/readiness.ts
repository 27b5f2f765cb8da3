/**
 * What `/ready` says: whether each configured provider, and each store, is usable now.
 *
 * The best evidence is the outcome of the calls mailgraph made anyway, so every upstream call is observed
 * (`observe`, fed from the transport's `onCall`). When nothing recent is known, a probe asks the provider's
 * API base URL with `HEAD` and **no credentials**: it costs no rate budget (CloudMailin allows 5 calls a
 * minute, too few to spend on probes), sends no secret to a route not documented to take it, and tells
 * whether the provider answers at all. It cannot check credentials; calls do (docs/decisions.md, "/ready").
 *
 * - `up`: the last call got an answer the provider means (2xx, or a 4xx about the input: 400, 403, 404,
 *   409, 422), or a probe got an answer below 500 (`source: probe`).
 * - `rate_limited`: the last call got a 429. Still ready: cached answers are served, and the budget refills.
 * - `down`: the last call timed out, failed on the network, got a 5xx, an unreadable answer, an unexpected
 *   status, or a 401 (mailgraph's credentials refused); or the probe failed. Not ready.
 * - `unknown`: nothing known and the probe is not done yet; `not_configured`: no credentials configured.
 * A call outcome counts for a minute, a probe for 15 s; a 401 counts until a later call succeeds, since a
 * probe cannot tell whether the credentials work.
 */
import { type Dispatcher, request } from 'undici';
import type { Config } from './config.js';
import type { Provider } from './errors.js';
import { defaultDispatcher } from './upstream/http.js';
import type { UpstreamCall } from './upstream/http.js';

export type ProviderStatus = 'up' | 'rate_limited' | 'down' | 'unknown' | 'not_configured';

export interface ProviderReadiness {
  status: ProviderStatus;
  /** Where the status comes from: the last call mailgraph made, a probe, or nothing yet. */
  source: 'call' | 'probe' | 'none';
  /** When that call or probe happened (ISO 8601), null when nothing is known. */
  at: string | null;
  /** The route template of the call (`/addresses/{id}`), or `HEAD /` for a probe. */
  route: string | null;
  /** The HTTP status, null when no answer came. */
  httpStatus: number | null;
  /** The failure's code (`TIMEOUT`, `SERVER_ERROR`, `RATE_LIMITED`…), null when it succeeded. */
  code: string | null;
}

export interface ReadinessReport {
  ready: boolean;
  providers: { cloudmailin: ProviderReadiness; cloudflare: ProviderReadiness };
  /**
   * Each store mailgraph depends on, `up` or `down`: `events` (the event log), `blobs`, and `redis` with
   * REDIS_URL or `idempotency` (the embedded LMDB store) without it. Any store down makes mailgraph not
   * ready: a webhook could not be stored, a send could not be bound to its key.
   */
  stores: Record<string, 'up' | 'down'>;
}

export interface ReadinessOptions {
  config: Config;
  dispatcher?: Dispatcher;
  now?: () => number;
  /** Checks of the stores the app depends on, by name; each resolves true when the store is usable. */
  stores?: Record<string, () => Promise<boolean>>;
  /** How long a store check may take before the store counts as down (default 2 s). */
  storeTimeoutMs?: number;
}

/** How long the outcome of a call stands for the provider's state. */
export const CALL_EVIDENCE_MS = 60_000;
/** How long a probe's answer stands (probes are cheap, but `/ready` may be asked every second). */
export const PROBE_EVIDENCE_MS = 15_000;
const PROBE_TIMEOUT_MS = 5_000;
/** A store that does not answer within this is down (a Redis that hangs must not hang `/ready`). */
export const STORE_CHECK_TIMEOUT_MS = 2_000;

/** Failures that say the provider is not usable (rather than that the input was wrong). */
const DOWN_CODES = new Set([
  'TIMEOUT',
  'NETWORK',
  'SERVER_ERROR',
  'MALFORMED_RESPONSE',
  'RESPONSE_TOO_LARGE',
  'UNEXPECTED_STATUS',
  'UNAUTHORIZED',
  'UNKNOWN',
]);

interface Evidence {
  status: 'up' | 'rate_limited' | 'down';
  source: 'call' | 'probe';
  at: number;
  route: string;
  httpStatus: number | null;
  code: string | null;
  /** Stands until a later observation replaces it (a 401). */
  sticky: boolean;
}

export class Readiness {
  private readonly evidence = new Map<Provider, Evidence>();
  private readonly probes = new Map<Provider, Promise<void>>();
  private readonly now: () => number;
  private readonly dispatcher: Dispatcher;

  constructor(private readonly options: ReadinessOptions) {
    this.now = options.now ?? Date.now;
    this.dispatcher = options.dispatcher ?? defaultDispatcher();
  }

  /** Records the outcome of an upstream call (an attempt the transport retries is left to the retry). */
  observe(call: UpstreamCall): void {
    const failure = call.failure;
    if (failure?.retried) return;
    const status =
      failure === undefined
        ? 'up'
        : failure.code === 'RATE_LIMITED'
          ? 'rate_limited'
          : DOWN_CODES.has(failure.code)
            ? 'down'
            : 'up';
    this.evidence.set(call.provider, {
      status,
      source: 'call',
      at: this.now(),
      route: call.route,
      httpStatus: call.status,
      code: failure?.code ?? null,
      sticky: failure?.code === 'UNAUTHORIZED',
    });
  }

  async report(): Promise<ReadinessReport> {
    const [cloudmailin, cloudflare] = await Promise.all([
      this.provider('CLOUDMAILIN'),
      this.provider('CLOUDFLARE'),
    ]);
    const stores = await this.checkStores();
    const ready =
      cloudmailin.status !== 'down' &&
      cloudflare.status !== 'down' &&
      Object.values(stores).every((status) => status === 'up');
    return { ready, providers: { cloudmailin, cloudflare }, stores };
  }

  /** Every store at once, each within its deadline: a check that fails, throws or hangs says `down`. */
  private async checkStores(): Promise<Record<string, 'up' | 'down'>> {
    const timeoutMs = this.options.storeTimeoutMs ?? STORE_CHECK_TIMEOUT_MS;
    const checks = Object.entries(this.options.stores ?? {}).map(async ([name, check]) => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const up = await Promise.race([
        Promise.resolve()
          .then(check)
          .catch(() => false),
        late,
      ]);
      clearTimeout(timer);
      return [name, up ? 'up' : 'down'] as const;
    });
    return Object.fromEntries(await Promise.all(checks));
  }

  private configured(provider: Provider): boolean {
    const { cloudmailin, cloudflare } = this.options.config;
    return provider === 'CLOUDMAILIN'
      ? cloudmailin.apiKey !== null || cloudmailin.smtpToken !== null
      : cloudflare.apiToken !== null;
  }

  private async provider(provider: Provider): Promise<ProviderReadiness> {
    if (!this.configured(provider)) {
      return {
        status: 'not_configured',
        source: 'none',
        at: null,
        route: null,
        httpStatus: null,
        code: null,
      };
    }
    let known = this.current(provider);
    if (known === undefined) {
      await this.probe(provider);
      known = this.current(provider);
    }
    if (known === undefined) {
      return { status: 'unknown', source: 'none', at: null, route: null, httpStatus: null, code: null };
    }
    return {
      status: known.status,
      source: known.source,
      at: new Date(known.at).toISOString(),
      route: known.route,
      httpStatus: known.httpStatus,
      code: known.code,
    };
  }

  /** The evidence still standing for `provider`, if any. */
  private current(provider: Provider): Evidence | undefined {
    const known = this.evidence.get(provider);
    if (known === undefined) return undefined;
    const standsFor = known.source === 'call' ? CALL_EVIDENCE_MS : PROBE_EVIDENCE_MS;
    return known.sticky || this.now() - known.at < standsFor ? known : undefined;
  }

  /** One probe at a time per provider; concurrent `/ready` requests share it. */
  private probe(provider: Provider): Promise<void> {
    let running = this.probes.get(provider);
    if (running === undefined) {
      running = this.runProbe(provider).finally(() => this.probes.delete(provider));
      this.probes.set(provider, running);
    }
    return running;
  }

  private async runProbe(provider: Provider): Promise<void> {
    const { config } = this.options;
    const base = new URL(provider === 'CLOUDMAILIN' ? config.cloudmailin.apiUrl : config.cloudflare.apiUrl);
    const timeoutMs = Math.min(config.upstream.timeoutMs, PROBE_TIMEOUT_MS);
    let httpStatus: number | null = null;
    let code: string | null = null;
    try {
      const response = await request(base, {
        method: 'HEAD',
        dispatcher: this.dispatcher,
        headers: { 'user-agent': 'mailgraph/0.1 (readiness probe)' },
        signal: AbortSignal.timeout(timeoutMs),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      httpStatus = response.statusCode;
      // dump() consumes (or discards) the body without the AbortError that destroy() would raise.
      await response.body.dump().catch(() => undefined);
      if (httpStatus >= 500) code = 'SERVER_ERROR';
    } catch (error) {
      const name = (error as { name?: unknown } | null)?.name;
      code = name === 'TimeoutError' || name === 'AbortError' ? 'TIMEOUT' : 'NETWORK';
    }
    // A call observed while the probe ran is better evidence; keep it.
    if (this.current(provider)?.source === 'call') return;
    this.evidence.set(provider, {
      status: code === null ? 'up' : 'down',
      source: 'probe',
      at: this.now(),
      route: 'HEAD /',
      httpStatus,
      code,
      sticky: false,
    });
  }
}
