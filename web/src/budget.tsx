/**
 * The strip above every view: each provider's remaining upstream budget (`rateLimits`, which costs no
 * upstream call), refreshed every few seconds and after every answer, and what the page must say plainly
 * about the answers it got: stale ones (role="status") and rate-limited ones (role="alert").
 */
import { useEffect, useState } from 'preact/hooks';
import { type Notice, notices } from './client.js';
import { PROVIDERS, formatTime, secondsUntil } from './format.js';
import type { RateLimitsQuery } from './gql/graphql.js';
import { useStore } from './store.js';

type Budget = RateLimitsQuery['rateLimits'][number];

/** How long a notice stays after its answer (a rate-limited one, also after its retry time). */
const NOTICE_MS = 60_000;

function useNow(active: boolean): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

function BudgetItem({ budget, now }: { budget: Budget; now: number }) {
  const name = PROVIDERS[budget.provider];
  const wait = secondsUntil(budget.nextCallAt, now);
  if (budget.limit == null || budget.remaining == null) {
    return (
      <li class="budget">
        <span class="budget-name">{name}</span>
        <span>
          no budget kept ({budget.used} {budget.used === 1 ? 'call' : 'calls'} in {budget.windowSeconds} s)
        </span>
      </li>
    );
  }
  const id = `budget-${budget.provider.toLowerCase()}`;
  return (
    <li class={`budget${budget.remaining === 0 ? ' budget-spent' : ''}`}>
      <label class="budget-name" for={id}>
        {name}
      </label>
      <meter
        id={id}
        min={0}
        max={budget.limit}
        low={Math.ceil(budget.limit / 5)}
        optimum={budget.limit}
        value={budget.remaining}
      />
      <span>
        {budget.remaining} of {budget.limit} calls left ({budget.windowSeconds} s window)
        {budget.remaining === 0 && wait > 0 ? `: next call in ${wait} s` : ''}
      </span>
    </li>
  );
}

function noticeText(notice: Notice, now: number): string {
  if (notice.kind === 'stale') {
    return `${notice.subject}: stale data. ${notice.message} (${formatTime(new Date(notice.at).toISOString())})`;
  }
  const provider = notice.provider ? `${PROVIDERS[notice.provider]} ` : '';
  const parts =
    notice.count > 1 ? ` ${notice.count} parts of the answer could not be read.` : ` ${notice.message}`;
  const wait = secondsUntil(notice.at + (notice.retryAfterSeconds ?? 0) * 1000, now);
  const when =
    notice.retryAfterSeconds == null ? '' : wait > 0 ? ` Retry in ${wait} s.` : ' It can be retried now.';
  return `${notice.subject}: ${provider}rate limited.${parts}${when}`;
}

export function BudgetStrip({
  budgets,
  error,
}: { budgets: readonly Budget[] | undefined; error: string | null }) {
  const current = useStore(notices);
  const now = useNow(current.length > 0 || (budgets ?? []).some((budget) => budget.retryAfterSeconds > 0));
  const shown = current.filter(
    (notice) =>
      now < Math.max(notice.at + NOTICE_MS, notice.at + (notice.retryAfterSeconds ?? 0) * 1000 + 10_000),
  );
  const stale = shown.filter((notice) => notice.kind === 'stale');
  const limited = shown.filter((notice) => notice.kind === 'rate-limited');
  return (
    <section class="strip" aria-labelledby="strip-heading">
      <h2 id="strip-heading" class="strip-heading">
        Upstream budget
      </h2>
      {budgets ? (
        <ul class="budgets">
          {budgets.map((budget) => (
            <BudgetItem key={budget.provider} budget={budget} now={now} />
          ))}
        </ul>
      ) : (
        <p class="budgets">{error ?? 'Reading the budgets…'}</p>
      )}
      <output class="notices">
        {stale.map((notice) => (
          <span key={notice.id} class="notice notice-stale">
            {noticeText(notice, now)}
          </span>
        ))}
      </output>
      <div role="alert" class="notices">
        {limited.map((notice) => (
          <p key={notice.id} class="notice notice-limited">
            {noticeText(notice, now)}
          </p>
        ))}
      </div>
    </section>
  );
}
