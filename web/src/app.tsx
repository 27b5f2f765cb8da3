import { Provider, useQuery, useSubscription } from '@urql/preact';
/**
 * The page: a header, the budget strip, and three views as tabs. Before any view it asks
 * `{ rateLimits }` without a key: in sandbox mode that answers, elsewhere the server's 401 brings up the key
 * form. The key lives in this tab's sessionStorage only (auth.ts); a new key gets a new client and cache.
 */
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { forgetKey, storeKey, storedKey } from './auth.js';
import { BudgetStrip } from './budget.js';
import { stream, answers, connect, notices, refusal } from './client.js';
import { MessageEventsDoc, RateLimitsDoc } from './documents.js';
import { errorLines } from './errors.js';
import type { MessageEventsSubscription } from './gql/graphql.js';
import { InboundView } from './inbound.js';
import { type LiveState, OutboundView } from './outbound.js';
import { SendView } from './send.js';
import { useStore } from './store.js';
import { Tabs } from './tabs.js';
import { type DeliveryEventFields, type SentByPage, type SentEmailFields, mergeEvents } from './timeline.js';

type View = 'outbound' | 'inbound' | 'send';
const VIEWS: readonly View[] = ['outbound', 'inbound', 'send'];

/** How often the budget strip asks `rateLimits` (it costs no upstream call). */
const BUDGET_REFRESH_MS = 5000;

function viewFromHash(): View {
  const hash = location.hash.replace(/^#/, '');
  return (VIEWS as readonly string[]).includes(hash) ? (hash as View) : 'outbound';
}

function KeyForm({ message, onKey }: { message: string | null; onKey: (key: string) => void }) {
  const [value, setValue] = useState('');
  return (
    <main class="view key-view">
      <form
        class="key-form"
        aria-labelledby="key-heading"
        onSubmit={(event) => {
          event.preventDefault();
          if (value.trim()) onKey(value.trim());
        }}
      >
        <h2 id="key-heading">This server asks for a client key</h2>
        <p>
          This mailgraph answers only requests that carry a client key (one of <code>MAILGRAPH_API_KEYS</code>
          ). The key is kept in this tab's session storage only, and sent as{' '}
          <code>Authorization: Bearer …</code>.
        </p>
        <div role="alert">{message ? <p class="error-box">{message}</p> : null}</div>
        <div class="field">
          <label for="api-key">API key</label>
          <input
            id="api-key"
            type="password"
            autocomplete="off"
            spellcheck={false}
            value={value}
            onInput={(event) => setValue(event.currentTarget.value)}
            required
          />
        </div>
        <button type="submit" class="primary">
          Use this key
        </button>
      </form>
    </main>
  );
}

const RECENT_EVENTS = 1000;

function Views({ sandbox }: { sandbox: boolean }) {
  const [view, setView] = useState<View>(viewFromHash);
  const [sent, setSent] = useState<readonly SentByPage[]>([]);
  // The page's one delivery-event stream: the cache updater lays each event into its cached message, and
  // the Outbound view groups them for the messages it has no list entry for.
  const [live, restartLive] = useSubscription<MessageEventsSubscription, DeliveryEventFields[]>(
    // The newest 1,000 stored events (the most `last` allows), then live ones: enough to show the recent
    // messages of both providers without replaying the whole retention window on every load.
    { query: MessageEventsDoc, variables: { last: RECENT_EVENTS } },
    (known, data) => mergeEvents(known ?? [], data.messageEvents),
  );
  useEffect(() => {
    const onHash = () => setView(viewFromHash());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  const select = useCallback((next: View) => {
    setView(next);
    history.replaceState(null, '', `#${next}`);
  }, []);
  // From the end of the Send form: the focus goes to the Outbound tab, which scrolls the page back to the
  // top of the view, where the new message is (otherwise the view would open scrolled down to the middle).
  const showOutbound = useCallback(() => {
    select('outbound');
    document.getElementById('tab-outbound')?.focus();
  }, [select]);
  const connection = useStore(stream);
  const liveState: LiveState = live.error
    ? { state: 'stopped', message: errorLines(live.error).join(' ') }
    : !live.fetching
      ? { state: 'stopped', message: 'the stream ended.' }
      : connection === 'connected' || live.data
        ? { state: 'live' }
        : { state: 'connecting' };
  const onSent = useCallback((email: SentEmailFields) => {
    setSent((current) => [...current, { email, sentAt: new Date().toISOString() }]);
  }, []);
  return (
    <main>
      <Tabs
        label="Views"
        selected={view}
        onSelect={select}
        tabs={[
          {
            id: 'outbound',
            label: 'Outbound',
            panel: (
              <OutboundView
                events={live.data ?? []}
                sent={sent}
                live={liveState}
                onRestartLive={() => restartLive()}
              />
            ),
          },
          { id: 'inbound', label: 'Inbound', panel: <InboundView sandbox={sandbox} /> },
          {
            id: 'send',
            label: 'Send',
            panel: <SendView sandbox={sandbox} onSent={onSent} onShowOutbound={showOutbound} />,
          },
        ]}
      />
    </main>
  );
}

function Page({
  apiKey,
  sandbox,
  keyRequired,
  onKey,
}: { apiKey: string | null; sandbox: boolean; keyRequired: boolean; onKey: (key: string | null) => void }) {
  // With keys configured and none given yet, nothing is asked: the key form comes first (no 401 to learn it).
  const asking = keyRequired && !apiKey;
  const [budget, refresh] = useQuery({ query: RateLimitsDoc, requestPolicy: 'network-only', pause: asking });
  const refused = useStore(refusal);
  const answered = useStore(answers);
  // Every few seconds while the tab is visible, and just after every other answer.
  useEffect(() => {
    if (refused || asking) return;
    const timer = setInterval(() => {
      if (!document.hidden) refresh({ requestPolicy: 'network-only' });
    }, BUDGET_REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh, refused, asking]);
  useEffect(() => {
    if (answered === 0 || refused || asking) return;
    const timer = setTimeout(() => refresh({ requestPolicy: 'network-only' }), 300);
    return () => clearTimeout(timer);
  }, [answered, refresh, refused, asking]);
  const error = budget.error && !refused ? errorLines(budget.error).join(' ') : null;
  return (
    <>
      <header class="masthead">
        <h1>
          mailgraph <span class="subtitle">live mail activity</span>
        </h1>
        <p class="mode">
          {sandbox ? 'Sandbox mode: demo data from the built-in emulator' : 'Live mode'}
          {' · '}
          <a href="/graphql">GraphiQL</a>
        </p>
        {apiKey ? (
          <button type="button" class="forget" onClick={() => onKey(null)}>
            Forget key
          </button>
        ) : null}
      </header>
      {refused || asking ? (
        <KeyForm message={apiKey && refused ? refused.message : null} onKey={onKey} />
      ) : (
        <>
          <BudgetStrip budgets={budget.data?.rateLimits} error={error} />
          {/* At once, beside the budget: the server said whether a key is needed (a refused one still
              brings the key form back, from whichever answer is refused first). */}
          <Views sandbox={sandbox} />
        </>
      )}
    </>
  );
}

export function App({ sandbox, keyRequired }: { sandbox: boolean; keyRequired: boolean }) {
  const [apiKey, setApiKey] = useState<string | null>(storedKey);
  const connection = useMemo(() => connect(apiKey), [apiKey]);
  useEffect(() => () => connection.dispose(), [connection]);
  const onKey = useCallback((key: string | null) => {
    if (key) storeKey(key);
    else forgetKey();
    refusal.set(null);
    notices.set([]);
    setApiKey(key);
  }, []);
  return (
    <Provider value={connection.client}>
      <Page key={apiKey ?? ''} apiKey={apiKey} sandbox={sandbox} keyRequired={keyRequired} onKey={onKey} />
    </Provider>
  );
}
