import { useMutation } from '@urql/preact';
/**
 * Send: a form for `sendEmail`. Each problem of a `ValidationError` is shown next to the field its path
 * names (`input.to.0.email` → To), with `aria-invalid` and `aria-describedby`; every other typed error is
 * one alert for the form. One idempotency key per content of the form: a second click, or a retry after a
 * lost answer, sends the same key and the server answers the first send again instead of sending twice.
 */
import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { SendEmailDoc } from './documents.js';
import { errorLines } from './errors.js';
import { PROVIDERS } from './format.js';
import type { EmailProvider, SendEmailInput } from './gql/graphql.js';
import type { SentEmailFields } from './timeline.js';

type Field = 'provider' | 'from' | 'fromName' | 'to' | 'subject' | 'text' | 'html';

/** The sandbox's verified senders, offered as the default `from` of each provider in sandbox mode. */
const SANDBOX_SENDERS: Record<EmailProvider, string> = {
  CLOUDMAILIN: 'hello@example.com',
  CLOUDFLARE: 'reports@mail.example.com',
};

const FIELD_NAMES: Record<Field, string> = {
  provider: 'Provider',
  from: 'From',
  fromName: 'From name',
  to: 'To',
  subject: 'Subject',
  text: 'Text',
  html: 'HTML',
};

/** The form field an issue's path (`input.to.0.email`) concerns, and which recipient; null for the form. */
export function fieldOfPath(path: string): { field: Field; index: number | null } | null {
  const [root, name, second, third] = path.split('.');
  if (root !== 'input') return null;
  switch (name) {
    case 'from':
      return { field: second === 'name' ? 'fromName' : 'from', index: null };
    case 'to':
      return {
        field: 'to',
        index: second !== undefined && /^\d+$/.test(second) && third !== undefined ? Number(second) : null,
      };
    case 'provider':
    case 'subject':
    case 'text':
    case 'html':
      return { field: name, index: null };
    default:
      return null;
  }
}

function recipients(value: string): { email: string }[] {
  return value
    .split(/[,;\n]/)
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((email) => ({ email }));
}

function FieldError({ id, messages }: { id: string; messages: readonly string[] | undefined }) {
  if (!messages?.length) return null;
  return (
    <p id={id} class="field-error">
      {messages.join(' ')}
    </p>
  );
}

function TextField({
  field,
  label,
  hint,
  errors,
  children,
}: {
  field: Field;
  label: string;
  hint?: string;
  errors: Partial<Record<Field, string[]>>;
  children: (props: {
    id: string;
    'aria-invalid': boolean;
    'aria-describedby'?: string;
  }) => ComponentChildren;
}) {
  const id = `send-${field}`;
  const described = [hint ? `${id}-hint` : null, errors[field]?.length ? `${id}-error` : null]
    .filter(Boolean)
    .join(' ');
  return (
    <div class={`field${field === 'text' || field === 'html' ? ' field-wide' : ''}`}>
      <label for={id}>{label}</label>
      {hint ? (
        <p id={`${id}-hint`} class="field-hint">
          {hint}
        </p>
      ) : null}
      {children({
        id,
        'aria-invalid': Boolean(errors[field]?.length),
        ...(described ? { 'aria-describedby': described } : {}),
      })}
      <FieldError id={`${id}-error`} messages={errors[field]} />
    </div>
  );
}

export function SendView({
  sandbox,
  onSent,
  onShowOutbound,
}: {
  sandbox: boolean;
  onSent: (email: SentEmailFields) => void;
  onShowOutbound: () => void;
}) {
  const [provider, setProvider] = useState<EmailProvider>('CLOUDMAILIN');
  const [from, setFrom] = useState(sandbox ? SANDBOX_SENDERS.CLOUDMAILIN : '');
  const [fromName, setFromName] = useState('');
  const [to, setTo] = useState('');
  const [subject, setSubject] = useState('');
  const [text, setText] = useState('');
  const [html, setHtml] = useState('');
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, string[]>>>({});
  const [formError, setFormError] = useState<string[] | null>(null);
  const [success, setSuccess] = useState<string | null>(null);
  const [state, send] = useMutation(SendEmailDoc);
  /** The key of the form's current content: kept until a field changes. */
  const idempotencyKey = useRef<string | null>(null);
  /** Set at once (state would only be seen after a render): a second click in the same moment does nothing. */
  const sending = useRef(false);

  const edit = (setter: (value: string) => void) => (event: Event) => {
    idempotencyKey.current = null;
    setter((event.currentTarget as HTMLInputElement | HTMLTextAreaElement).value);
  };
  const chooseProvider = (next: EmailProvider) => {
    idempotencyKey.current = null;
    // The other provider's sandbox sender would be refused: offer this one's, unless the user typed another.
    if (sandbox && from === SANDBOX_SENDERS[provider]) setFrom(SANDBOX_SENDERS[next]);
    setProvider(next);
  };

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    if (sending.current) return;
    sending.current = true;
    idempotencyKey.current ??= crypto.randomUUID();
    setFieldErrors({});
    setFormError(null);
    setSuccess(null);
    const input: SendEmailInput = {
      provider,
      from: fromName.trim() ? { email: from.trim(), name: fromName.trim() } : { email: from.trim() },
      to: recipients(to),
      subject,
      ...(text ? { text } : {}),
      ...(html ? { html } : {}),
      idempotencyKey: idempotencyKey.current,
    };
    const result = await send({ input }).finally(() => {
      sending.current = false;
    });
    const answer = result.data?.sendEmail;
    if (!answer) {
      setFormError(
        errorLines(result.error).length ? errorLines(result.error) : ['The server did not answer.'],
      );
      return;
    }
    switch (answer.__typename) {
      case 'SendEmailPayload': {
        onSent(answer.email);
        const id = answer.email.messageId ? ` (message id ${answer.email.messageId})` : '';
        setSuccess(
          answer.replayed
            ? `This message was sent already${id}: the server answered the first send again and sent nothing now.`
            : `Sent through ${PROVIDERS[answer.email.provider]}${id}. It is in the Outbound view, where its delivery events arrive live.`,
        );
        return;
      }
      case 'ValidationError': {
        const byField: Partial<Record<Field, string[]>> = {};
        const rest: string[] = [];
        for (const issue of answer.issues) {
          const target = fieldOfPath(issue.path);
          if (!target) {
            rest.push(
              issue.path && issue.path !== 'input' ? `${issue.path}: ${issue.message}` : issue.message,
            );
            continue;
          }
          const recipient = target.index !== null ? recipients(to)[target.index]?.email : undefined;
          const prefix = recipient ? `${recipient}: ` : '';
          byField[target.field] = [...(byField[target.field] ?? []), `${prefix}${issue.message}`];
        }
        setFieldErrors(byField);
        const named = Object.keys(byField).map((field) => FIELD_NAMES[field as Field]);
        setFormError([
          named.length ? `${answer.message} Check: ${named.join(', ')}.` : answer.message,
          ...rest,
        ]);
        return;
      }
      case 'RateLimitedError':
        setFormError([`${answer.message} Retry in ${answer.retryAfterSeconds} s.`]);
        return;
      default:
        setFormError([`${answer.message} (${answer.code})`]);
    }
  };

  return (
    <section class="view" aria-labelledby="send-heading">
      <div class="view-head">
        <h2 id="send-heading">Send a message</h2>
      </div>
      <form class="send-form" onSubmit={onSubmit} noValidate>
        <fieldset class="field provider-switch">
          <legend>Provider</legend>
          {(['CLOUDMAILIN', 'CLOUDFLARE'] as const).map((value) => (
            <label key={value} class="radio">
              <input
                type="radio"
                name="provider"
                value={value}
                checked={provider === value}
                onChange={() => chooseProvider(value)}
              />{' '}
              {PROVIDERS[value]}
            </label>
          ))}
          <FieldError id="send-provider-error" messages={fieldErrors.provider} />
        </fieldset>
        <div class="fields">
          <TextField field="from" label="From address" errors={fieldErrors}>
            {(props) => (
              <input {...props} type="email" autocomplete="email" value={from} onInput={edit(setFrom)} />
            )}
          </TextField>
          <TextField field="fromName" label="From name (optional)" errors={fieldErrors}>
            {(props) => <input {...props} value={fromName} onInput={edit(setFromName)} />}
          </TextField>
          <TextField
            field="to"
            label="To"
            hint="One or more addresses, separated by commas."
            errors={fieldErrors}
          >
            {(props) => <input {...props} value={to} onInput={edit(setTo)} />}
          </TextField>
          <TextField field="subject" label="Subject" errors={fieldErrors}>
            {(props) => <input {...props} value={subject} onInput={edit(setSubject)} />}
          </TextField>
          <TextField field="text" label="Text" errors={fieldErrors}>
            {(props) => <textarea {...props} rows={5} value={text} onInput={edit(setText)} />}
          </TextField>
          <TextField field="html" label="HTML (optional)" errors={fieldErrors}>
            {(props) => <textarea {...props} rows={3} value={html} onInput={edit(setHtml)} />}
          </TextField>
        </div>
        <div class="form-actions">
          <button type="submit" class="primary" disabled={state.fetching}>
            {state.fetching ? 'Sending…' : 'Send'}
          </button>
        </div>
        <div role="alert">
          {formError ? (
            <div class="error-box">
              {formError.map((line) => (
                <p key={line}>{line}</p>
              ))}
            </div>
          ) : null}
        </div>
        <output class={success ? 'success-box' : undefined}>{success}</output>
        {success ? (
          <p>
            <button type="button" onClick={onShowOutbound}>
              Show the Outbound view
            </button>
          </p>
        ) : null}
      </form>
    </section>
  );
}
