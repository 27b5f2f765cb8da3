/**
 * `rateLimits`: how much of each provider's call budget is left and when it refills, so that a dashboard
 * polling under CloudMailin's 5 calls per minute can pace itself (as GitHub's `rateLimit` does). Reading it
 * costs no upstream call.
 */
import type { Provider } from '../errors.js';
import type { BudgetStatus } from '../upstream/rate-budget.js';
import { builder } from './builder.js';
import { EmailProviderEnum } from './errors.js';

interface RateLimitShape extends BudgetStatus {
  provider: Provider;
}

const RateLimitRef = builder.objectRef<RateLimitShape>('RateLimit').implement({
  description:
    "mailgraph's budget of upstream calls for one provider: a sliding window that keeps it under the provider's documented limit. Answers served from cache cost nothing.",
  fields: (t) => ({
    provider: t.field({ type: EmailProviderEnum, description: 'Whose budget.', resolve: (r) => r.provider }),
    limit: t.exposeInt('limit', {
      nullable: true,
      description:
        'Calls allowed per window (CloudMailin management API: 5 per 61 s; Cloudflare: 1200 per 301 s); null when no budget is kept.',
    }),
    windowSeconds: t.int({
      description: 'The length of the sliding window, in seconds.',
      resolve: (r) => Math.ceil(r.windowMs / 1000),
    }),
    used: t.exposeInt('used', {
      description: 'Calls made (or reserved by waiting requests) within the window.',
    }),
    remaining: t.exposeInt('remaining', {
      nullable: true,
      description:
        'Calls that may start now without waiting (0 while the provider has said 429); null without a budget.',
    }),
    nextCallAt: t.field({
      type: 'DateTime',
      description: 'When the next upstream call may start (now, when one may start at once).',
      resolve: (r) => new Date(r.nextCallAt),
    }),
    retryAfterSeconds: t.int({
      description: 'Seconds until the next upstream call may start; 0 when one may start now.',
      resolve: (r) => Math.max(0, Math.ceil((r.nextCallAt - r.now) / 1000)),
    }),
    resetAt: t.field({
      type: 'DateTime',
      description: 'When the whole budget is back (every call of the window has left it).',
      resolve: (r) => new Date(r.resetAt),
    }),
  }),
});

builder.queryField('rateLimits', (t) =>
  t.field({
    type: [RateLimitRef],
    description:
      'The upstream call budget of each configured provider, now. Costs no upstream call; poll it to pace a dashboard.',
    authScopes: { read: true },
    resolve: async (_root, _args, context) => {
      // With REDIS_URL the budgets are Redis's, shared by every instance: asking costs a Redis round trip.
      const budgets: Array<[Provider, BudgetStatus | null]> = [
        ['CLOUDMAILIN', await context.cloudmailin.rateBudget()],
        ['CLOUDFLARE', await context.cloudflare.rateBudget()],
      ];
      return budgets.flatMap(([provider, status]) => (status ? [{ ...status, provider }] : []));
    },
  }),
);
