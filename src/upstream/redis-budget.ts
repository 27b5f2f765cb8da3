/**
 * The rate budgets in Redis (REDIS_URL), shared by every instance: CloudMailin's 5 calls per minute are
 * the account's, not one process's. The rules are exactly `RateBudget`'s (rate-budget.ts: sliding window
 * log, slots reserved before waiting, Retry-After blocks, and the per-key fair shares), run by one Lua
 * script per decision, so that two instances never take the same slot. The fair shares hold across
 * instances too: which keys asked, and which key holds each call, are in Redis. (A key's principal is its
 * position in MAILGRAPH_API_KEYS, so every instance must list the same keys in the same order.)
 *
 * Per scope, under the prefix: `budget:{scope}:grants` (sorted set: one member per call, scored by its
 * start time, named `{seq}:{time}|{key}`), `budget:{scope}:asked` (hash: key → when it last asked),
 * `budget:{scope}:blocked` (until when a 429 blocks) and `budget:{scope}:seq`. Each expires once the
 * window has passed without calls.
 *
 * The clock is Redis's (`TIME`), one clock for every instance; tests may pass their own (`now`).
 */
import type { Redis } from 'ioredis';
import {
  type BudgetDecision,
  type BudgetLimit,
  type BudgetStatus,
  type BudgetStore,
  type CallBudget,
  type Claimant,
  seconds,
} from './rate-budget.js';
import { type RedisStoreOptions, type Script, defineScript } from './redis-client.js';

/**
 * KEYS: grants, asked, blocked, seq. ARGV: op (acquire | status | penalize), now (< 0: Redis's clock),
 * calls, windowMs, deadlineMs (acquire) or penalty ms (penalize), claimant key ('' for none), keys.
 * acquire answers {1, waitMs} or {0, retryMs, share, activeKeys} (share -1: not a share refusal);
 * status answers {used, remaining (-1: none), nextCallAt, resetAt, now}.
 */
const BUDGET = `
local op = ARGV[1]
local now = tonumber(ARGV[2])
if now < 0 then
  if redis.replicate_commands then redis.replicate_commands() end
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local calls = tonumber(ARGV[3])
local windowMs = tonumber(ARGV[4])
local blocked = tonumber(redis.call('GET', KEYS[3]) or '0')

if op == 'penalize' then
  local ms = tonumber(ARGV[5])
  if now + ms > blocked then redis.call('SET', KEYS[3], now + ms, 'PX', ms + 1000) end
  return {now}
end

-- Calls that left the window: at <= now - window.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - windowMs)
local used = redis.call('ZCARD', KEYS[1])
-- The next slot: after any block, and once the calls-th most recent call has left the window.
local at = math.max(now, blocked)
if calls > 0 and used >= calls then
  local limiting = redis.call('ZRANGE', KEYS[1], used - calls, used - calls, 'WITHSCORES')
  at = math.max(at, tonumber(limiting[2]) + windowMs)
end

if op == 'status' then
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  local resetAt = now
  if last[2] then resetAt = tonumber(last[2]) + windowMs end
  resetAt = math.max(resetAt, blocked, now)
  local remaining = -1
  if calls > 0 then
    if blocked > now then remaining = 0 else remaining = math.max(0, calls - used) end
  end
  return {used, remaining, at, resetAt, now}
end

local deadline = tonumber(ARGV[5])
local claimant = ARGV[6]
local keys = tonumber(ARGV[7])
if claimant ~= '' and keys > 1 and calls > 0 then
  redis.call('HSET', KEYS[2], claimant, now)
  local asked = redis.call('HGETALL', KEYS[2])
  local active = 0
  for i = 1, #asked, 2 do
    if tonumber(asked[i + 1]) <= now - windowMs then
      redis.call('HDEL', KEYS[2], asked[i])
    else
      active = active + 1
    end
  end
  redis.call('PEXPIRE', KEYS[2], windowMs + 1000)
  local total = math.max(keys, active)
  local guaranteed = math.max(1, math.floor(calls / total))
  local share = math.max(guaranteed, math.ceil(calls / active))
  local reserve = 0
  if active < total then reserve = guaranteed end
  local own, every = {}, {}
  local all = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
  for i = 1, #all, 2 do
    local score = tonumber(all[i + 1])
    every[#every + 1] = score
    local bar = string.find(all[i], '|', 1, true)
    if string.sub(all[i], bar + 1) == claimant then own[#own + 1] = score end
  end
  local held = #own
  local freeAt = now
  -- Over its share: until enough of its own calls have left the window.
  if held >= share then freeAt = math.max(freeAt, own[held - share + 1] + windowMs) end
  -- Into the reserve for keys not seen yet: until it is back under its guarantee, or the reserve is free.
  if reserve > 0 and held >= guaranteed and used + 1 > calls - reserve then
    local ownBack = own[held - guaranteed + 1] + windowMs
    local reserveFree = (every[used - (calls - reserve) + 1] or now) + windowMs
    freeAt = math.max(freeAt, math.min(ownBack, reserveFree))
  end
  if freeAt > at then
    if reserve > 0 then share = math.min(share, calls - reserve) end
    return {0, freeAt - now, share, active}
  end
end

local waitMs = at - now
if waitMs > deadline then return {0, waitMs, -1, 0} end
if calls > 0 then
  local seq = redis.call('INCR', KEYS[4])
  redis.call('ZADD', KEYS[1], at, seq .. ':' .. now .. '|' .. claimant)
  local keep = at - now + windowMs + 1000
  if redis.call('PTTL', KEYS[1]) < keep then redis.call('PEXPIRE', KEYS[1], keep) end
  if redis.call('PTTL', KEYS[4]) < keep then redis.call('PEXPIRE', KEYS[4], keep) end
end
return {1, waitMs}
`;

export interface RedisBudgetOptions extends RedisStoreOptions {
  /** For tests: a clock of their own; Redis's clock otherwise. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export class RedisCallBudget implements CallBudget {
  private readonly keys: string[];

  constructor(
    private readonly script: Script,
    prefix: string,
    scope: string,
    private readonly limit: BudgetLimit,
    private readonly now: (() => number) | undefined,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {
    const base = `${prefix}budget:${scope}:`;
    this.keys = [`${base}grants`, `${base}asked`, `${base}blocked`, `${base}seq`];
  }

  async acquire(deadlineMs: number, claimant?: Claimant): Promise<BudgetDecision> {
    const reply = (await this.run(
      'acquire',
      deadlineMs,
      claimant?.key ?? '',
      claimant?.keys ?? 0,
    )) as number[];
    const [ok, ms = 0, share = -1, activeKeys = 0] = reply;
    if (ok === 1) {
      if (ms > 0) await this.sleep(ms);
      return { ok: true, waitedMs: ms };
    }
    return share >= 0
      ? { ok: false, retryAfterSeconds: seconds(ms), fairShare: { share, activeKeys } }
      : { ok: false, retryAfterSeconds: seconds(ms) };
  }

  penalize(retryAfterSeconds: number): void {
    // Commands on one connection run in order: the calls that follow see the block.
    this.run('penalize', retryAfterSeconds * 1000, '', 0).catch(() => undefined);
  }

  async status(): Promise<BudgetStatus> {
    const [used = 0, remaining = -1, nextCallAt = 0, resetAt = 0, now = 0] = (await this.run(
      'status',
      0,
      '',
      0,
    )) as number[];
    const { calls, windowMs } = this.limit;
    return {
      limit: calls > 0 ? calls : null,
      windowMs,
      used,
      remaining: remaining < 0 ? null : remaining,
      nextCallAt,
      resetAt,
      now,
    };
  }

  private run(op: string, amount: number, claimant: string, keys: number): Promise<unknown> {
    return this.script(
      ...this.keys,
      op,
      this.now ? this.now() : -1,
      this.limit.calls,
      this.limit.windowMs,
      amount,
      claimant,
      keys,
    );
  }
}

/** One budget per credential scope, in Redis. */
export class RedisBudgets implements BudgetStore {
  private readonly budgets = new Map<string, RedisCallBudget>();
  private readonly script: Script;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: RedisBudgetOptions) {
    this.script = defineScript(options.client as Redis, 'mailgraphBudget', 4, BUDGET);
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  forScope(scope: string, limit: BudgetLimit): RedisCallBudget {
    const id = `${scope}\n${limit.calls}/${limit.windowMs}`;
    let budget = this.budgets.get(id);
    if (budget === undefined) {
      budget = new RedisCallBudget(
        this.script,
        this.options.prefix,
        scope,
        limit,
        this.options.now,
        this.sleep,
      );
      this.budgets.set(id, budget);
    }
    return budget;
  }
}
