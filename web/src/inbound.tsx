import { useMutation, useQuery, useSubscription } from '@urql/preact';
/**
 * Inbound: the inbound addresses, and for the chosen one (or each of them) the mail mailgraph's webhook
 * stored (`inboundEmails`), kept live by `inboundEmailReceived(addressId, after: <newest cursor>)`, whose
 * mail the cache updater puts on top of the list. In sandbox mode, a form has the emulator play a mail.
 */
import { useEffect, useState } from 'preact/hooks';
import { INBOUND_PAGE } from './cache.js';
import {
  InboundAddressesDoc,
  InboundEmailReceivedDoc,
  InboundEmailsDoc,
  SimulateInboundEmailDoc,
} from './documents.js';
import { ErrorList, errorLines } from './errors.js';
import { formatTime } from './format.js';
import type { InboundAddressesQuery as Addresses, InboundMailFieldsFragment } from './gql/graphql.js';

type Address = NonNullable<Addresses['inboundAddresses']>['nodes'][number];

function addressName(address: Address): string {
  return address.nickname ? `${address.nickname} (${address.emailAddress})` : address.emailAddress;
}

function dkimVerdict(mail: InboundMailFieldsFragment): string {
  const dkim = mail.envelope.dkim;
  if (!dkim) return 'not checked';
  if (dkim.results.length === 0) return dkim.success === false ? 'not run' : 'no signature';
  return dkim.results
    .map((check) => `${check.result ?? 'unknown'}${check.domain ? ` (${check.domain})` : ''}`)
    .join(', ');
}

function Verdict({ label, value }: { label: string; value: string }) {
  const tone = /^pass/.test(value) ? 'good' : /fail|permerror/.test(value) ? 'bad' : 'neutral';
  return (
    <span class="verdict">
      {label}: <span class={`badge badge-${tone}`}>{value}</span>
    </span>
  );
}

function MailItem({ mail }: { mail: InboundMailFieldsFragment }) {
  const [open, setOpen] = useState(false);
  const textId = `mail-text-${mail.id}`;
  const headingId = `mail-heading-${mail.id}`;
  const sender = mail.from ?? mail.envelope.from;
  return (
    <li class="card">
      <article aria-labelledby={headingId}>
        <h4 id={headingId} class="card-title">
          {mail.subject ?? <span class="muted">(no subject)</span>}
        </h4>
        <p class="meta">
          <span>
            from{' '}
            {sender
              ? 'name' in sender && sender.name
                ? `${sender.name} <${sender.address}>`
                : sender.address
              : 'an unknown sender'}
          </span>
          <span>
            received <time dateTime={mail.receivedAt}>{formatTime(mail.receivedAt)}</time>
          </span>
        </p>
        <p class="meta">
          <Verdict label="SPF" value={mail.envelope.spf?.result ?? 'not checked'} />
          <Verdict label="DKIM" value={dkimVerdict(mail)} />
        </p>
        <button
          type="button"
          class="disclosure"
          aria-expanded={open}
          aria-controls={textId}
          onClick={() => setOpen(!open)}
        >
          {open ? 'Hide text' : 'Show text'}
        </button>
        <pre id={textId} class="mail-text" hidden={!open}>
          {mail.plain ?? '(no plain-text body)'}
        </pre>
      </article>
    </li>
  );
}

function AddressMail({ address }: { address: Address }) {
  const [result] = useQuery({
    query: InboundEmailsDoc,
    variables: { addressId: address.addressId, first: INBOUND_PAGE },
  });
  // Subscribe after the newest mail read, once: nothing between the read and the stream is lost.
  const [after, setAfter] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    if (after !== undefined || result.fetching) return;
    if (result.data || result.error) setAfter(result.data?.inboundEmails?.nodes[0]?.cursor ?? null);
  }, [after, result.data, result.error, result.fetching]);
  const [live] = useSubscription({
    query: InboundEmailReceivedDoc,
    variables: { addressId: address.addressId, after },
    pause: after === undefined,
  });
  const mails = result.data?.inboundEmails?.nodes ?? [];
  const headingId = `address-${address.addressId}`;
  return (
    <section class="address-mail" aria-labelledby={headingId}>
      <h3 id={headingId}>{addressName(address)}</h3>
      <ErrorList error={result.error} />
      {live.error ? (
        <p role="alert" class="error-box">
          Live inbound mail stopped: {errorLines(live.error).join(' ')}
        </p>
      ) : null}
      {!result.data && result.fetching ? <p>Loading mail…</p> : null}
      {result.data && mails.length === 0 ? <p class="muted">No mail received yet.</p> : null}
      {mails.length > 0 ? (
        <ol class="cards" aria-label={`Mail received by ${address.emailAddress}, newest first`}>
          {mails.map((mail) => (
            <MailItem key={mail.id} mail={mail} />
          ))}
        </ol>
      ) : null}
    </section>
  );
}

function SimulateForm({ addresses, preferred }: { addresses: readonly Address[]; preferred: string | null }) {
  const [addressId, setAddressId] = useState<string>('');
  const [from, setFrom] = useState('Alice Example <alice@example.net>');
  const [subject, setSubject] = useState('Where is my order?');
  const [text, setText] = useState('Hello, order 42 has not arrived yet.');
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const [unavailable, setUnavailable] = useState<string | null>(null);
  const [state, simulate] = useMutation(SimulateInboundEmailDoc);
  const target = addressId || preferred || addresses[0]?.addressId || '';

  if (unavailable) {
    return <output class="hint">Simulating inbound mail is not available here: {unavailable}</output>;
  }
  const onSubmit = async (event: Event) => {
    event.preventDefault();
    setOutcome(null);
    const result = await simulate({ input: { addressId: target, from, subject, text } });
    const answer = result.data?.simulateInboundEmail;
    if (!answer) {
      setOutcome({ ok: false, text: errorLines(result.error).join(' ') || 'No answer.' });
      return;
    }
    if (answer.__typename === 'SimulateInboundEmailPayload') {
      setOutcome({
        ok: true,
        text: `The emulator posted the mail; mailgraph answered HTTP ${answer.httpStatus ?? 'nothing'}. It joins the list as it arrives.`,
      });
      return;
    }
    if (answer.__typename === 'NotConfiguredError') {
      setUnavailable(answer.message);
      return;
    }
    const issues =
      answer.__typename === 'ValidationError'
        ? answer.issues.map((issue) => `${issue.path}: ${issue.message}`)
        : [];
    setOutcome({ ok: false, text: [answer.message, ...issues].join(' ') });
  };
  return (
    <form class="simulate" aria-labelledby="simulate-heading" onSubmit={onSubmit}>
      <h3 id="simulate-heading">Simulate inbound mail</h3>
      <p class="hint">
        Sandbox mode: the emulator posts this mail to mailgraph's inbound webhook, as CloudMailin would. It
        shows in the list through the live <code>inboundEmailReceived</code> subscription.
      </p>
      <div class="fields">
        <div class="field">
          <label for="simulate-address">To address</label>
          {/* The nickname alone fits a narrow column; the full address is said below it. */}
          <select
            id="simulate-address"
            value={target}
            aria-describedby="simulate-address-hint"
            onChange={(event) => setAddressId(event.currentTarget.value)}
          >
            {addresses.map((address) => (
              <option key={address.addressId} value={address.addressId}>
                {address.nickname ?? address.emailAddress}
              </option>
            ))}
          </select>
          <p id="simulate-address-hint" class="field-hint">
            {addresses.find((address) => address.addressId === target)?.emailAddress}
          </p>
        </div>
        <div class="field">
          <label for="simulate-from">From</label>
          <input
            id="simulate-from"
            value={from}
            onInput={(event) => setFrom(event.currentTarget.value)}
            required
          />
        </div>
        <div class="field">
          <label for="simulate-subject">Subject</label>
          <input
            id="simulate-subject"
            value={subject}
            onInput={(event) => setSubject(event.currentTarget.value)}
            required
          />
        </div>
        <div class="field field-wide">
          <label for="simulate-text">Text</label>
          <textarea
            id="simulate-text"
            rows={2}
            value={text}
            onInput={(event) => setText(event.currentTarget.value)}
          />
        </div>
      </div>
      <button type="submit" disabled={state.fetching || !target}>
        {state.fetching ? 'Simulating…' : 'Simulate inbound mail'}
      </button>
      <output class={outcome?.ok ? 'success-box' : undefined}>{outcome?.ok ? outcome.text : null}</output>
      <div role="alert">{outcome && !outcome.ok ? <p class="error-box">{outcome.text}</p> : null}</div>
    </form>
  );
}

export function InboundView({ sandbox }: { sandbox: boolean }) {
  const [result] = useQuery({ query: InboundAddressesDoc });
  const [chosen, setChosen] = useState('all');
  const addresses = result.data?.inboundAddresses?.nodes ?? [];
  const shown = chosen === 'all' ? addresses : addresses.filter((address) => address.addressId === chosen);
  return (
    <section class="view" aria-labelledby="inbound-heading">
      <div class="view-head">
        <h2 id="inbound-heading">Inbound mail</h2>
        <div class="field field-inline">
          <label for="inbound-address">Address</label>
          <select
            id="inbound-address"
            value={chosen}
            onChange={(event) => setChosen(event.currentTarget.value)}
          >
            <option value="all">All addresses</option>
            {addresses.map((address) => (
              <option key={address.addressId} value={address.addressId}>
                {addressName(address)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p class="hint">
        Mail that reached mailgraph's inbound webhook, newest first, live as it arrives. The verdicts are
        CloudMailin's SPF and DKIM checks.
      </p>
      <ErrorList error={result.error} />
      {!result.data && result.fetching ? <p>Loading inbound addresses…</p> : null}
      {/* In sandbox mode the simulate form sits beside the mail (first, as it comes first in the reading
          order) on a wide window, above it on a narrow one. */}
      <div class={sandbox && addresses.length > 0 ? 'inbound-layout' : undefined}>
        {sandbox && addresses.length > 0 ? (
          <SimulateForm addresses={addresses} preferred={chosen === 'all' ? null : chosen} />
        ) : null}
        <div class="inbound-lists">
          {shown.map((address) => (
            <AddressMail key={address.addressId} address={address} />
          ))}
        </div>
      </div>
    </section>
  );
}
