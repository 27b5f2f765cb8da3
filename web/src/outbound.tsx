import { useQuery } from '@urql/preact';
/**
 * Outbound: CloudMailin's newest messages (`outboundMessages`), and every other message this page knows of
 * (its own sends, and messages seen in `messageEvents`: Cloudflare has no list API), each recipient with its
 * delivery timeline. Live events come from the one `messageEvents` subscription of the page (app.tsx): the
 * cache updater lays them into the listed messages, and `messageRows` into the others.
 */
import { useMemo } from 'preact/hooks';
import { OUTBOUND_PAGE } from './cache.js';
import { OutboundMessagesDoc } from './documents.js';
import { ErrorList } from './errors.js';
import { PROVIDERS, formatTime, kindLabel, kindTone } from './format.js';
import type { MessageEventKind } from './gql/graphql.js';
import { type DeliveryEventFields, type MessageRow, type SentByPage, messageRows } from './timeline.js';

/** The most messages drawn at once (the newest). */
const ROWS_SHOWN = 60;

export type LiveState = { state: 'live' } | { state: 'connecting' } | { state: 'stopped'; message: string };

function KindBadge({ kind }: { kind: MessageEventKind | null | undefined }) {
  if (!kind) return <span class="badge badge-neutral">no event yet</span>;
  return <span class={`badge badge-${kindTone(kind)}`}>{kindLabel(kind)}</span>;
}

const OUTCOMES = {
  delivered: 'accepted at send',
  queued: 'queued at send',
  bounced: 'bounced at send',
} as const;

function MessageCard({ row, index }: { row: MessageRow; index: number }) {
  const headingId = `outbound-message-${index}`;
  const source =
    row.source === 'sent' ? 'sent from this page' : row.source === 'events' ? 'known from its events' : null;
  return (
    <li class="card">
      <article aria-labelledby={headingId}>
        <h3 id={headingId} class="card-title">
          {row.subject ?? (
            <span class="muted">
              {row.source === 'events' ? 'Message known from events' : '(no subject)'}
            </span>
          )}
        </h3>
        <p class="meta">
          <span class="provider">{PROVIDERS[row.provider]}</span>
          {row.from ? <span>from {row.from}</span> : null}
          {row.at ? (
            <span>
              <time dateTime={row.at}>{formatTime(row.at)}</time>
            </span>
          ) : null}
          {source ? <span class="muted">{source}</span> : null}
          {row.testMode ? <span class="muted">test mode</span> : null}
        </p>
        {row.messageId ? (
          <p class="meta message-id">
            <span class="muted">Message id</span> <code>{row.messageId}</code>
          </p>
        ) : null}
        <ul class="recipients" aria-label={`Recipients of ${row.subject ?? 'this message'}`}>
          {row.recipients.map((recipient) => (
            <li key={recipient.email} class="recipient">
              <p class="recipient-head">
                <span class="address">{recipient.email}</span> <KindBadge kind={recipient.lastEvent} />
                {recipient.outcome ? <span class="muted">{OUTCOMES[recipient.outcome]}</span> : null}
              </p>
              {recipient.events === null ? (
                <p class="muted">The history could not be loaded (see the notices above).</p>
              ) : recipient.events.length > 0 ? (
                <ol class="timeline" aria-label={`Delivery timeline of ${recipient.email}`}>
                  {recipient.events.map((event, position) => (
                    <li key={`${event.kind}-${event.timestamp ?? position}`} class="step">
                      <KindBadge kind={event.kind} />
                      {event.timestamp ? (
                        <time dateTime={event.timestamp}>{formatTime(event.timestamp)}</time>
                      ) : null}
                      {event.details?.smtpResponse || event.details?.replyCode ? (
                        <span class="details">{event.details.smtpResponse ?? event.details.replyCode}</span>
                      ) : null}
                      {event.details?.remoteHost ? (
                        <span class="muted">via {event.details.remoteHost}</span>
                      ) : null}
                    </li>
                  ))}
                </ol>
              ) : (
                <p class="muted">Waiting for its first delivery event…</p>
              )}
            </li>
          ))}
        </ul>
      </article>
    </li>
  );
}

function LiveIndicator({ live, onRestart }: { live: LiveState; onRestart: () => void }) {
  if (live.state === 'stopped') {
    return (
      <p role="alert" class="live live-stopped">
        Live delivery events stopped: {live.message}{' '}
        <button type="button" onClick={onRestart}>
          Reconnect
        </button>
      </p>
    );
  }
  return (
    <p class="live">
      <span class={`dot${live.state === 'live' ? ' dot-live' : ''}`} aria-hidden="true" />
      {live.state === 'live'
        ? 'Live: delivery events appear as they arrive'
        : 'Connecting to live delivery events…'}
    </p>
  );
}

export function OutboundView({
  events,
  sent,
  live,
  onRestartLive,
}: {
  events: readonly DeliveryEventFields[];
  sent: readonly SentByPage[];
  live: LiveState;
  onRestartLive: () => void;
}) {
  const [result, refetch] = useQuery({ query: OutboundMessagesDoc, variables: { first: OUTBOUND_PAGE } });
  const listed = result.data?.outboundMessages?.nodes;
  const rows = useMemo(() => messageRows(listed ?? [], sent, events), [listed, sent, events]);
  return (
    <section class="view" aria-labelledby="outbound-heading">
      <div class="view-head">
        <h2 id="outbound-heading">Outbound messages</h2>
        <button
          type="button"
          onClick={() => refetch({ requestPolicy: 'network-only' })}
          disabled={result.fetching}
        >
          {result.fetching ? 'Refreshing…' : 'Refresh list'}
        </button>
      </div>
      <LiveIndicator live={live} onRestart={onRestartLive} />
      <p class="hint">
        CloudMailin's {OUTBOUND_PAGE} newest messages, and every message this page sent or saw delivery events
        for (Cloudflare has no list of sent messages).
      </p>
      <ErrorList error={result.error} />
      {!result.data && result.fetching ? <p>Loading outbound messages…</p> : null}
      {rows.length === 0 && !result.fetching ? <p>No outbound messages yet.</p> : null}
      <ol class="cards" aria-label="Outbound messages, newest first">
        {rows.slice(0, ROWS_SHOWN).map((row, index) => (
          <MessageCard key={row.key} row={row} index={index} />
        ))}
      </ol>
    </section>
  );
}
