/**
 * Addresses go out structured, as they come in: `{ address name formatted }`. Providers hand mailgraph
 * RFC 5322 strings (`"Alice" <alice@example.net>`, sometimes comma-joined lists); they are parsed here,
 * once, with the `email-addresses` parser, so that no browser has to.
 */
import emailAddresses from 'email-addresses';
import { builder } from './builder.js';

export interface EmailAddressShape {
  address: string;
  name: string | null;
}

/** Longer header values are not parsed (the parser builds a full syntax tree); they fall back to a split. */
const MAX_PARSED_LENGTH = 20_000;

/** `"Name" <email>`, with quotes and backslashes in the name escaped; the bare address without a name. */
export function formatMailbox(mailbox: { email?: string; address?: string; name?: string | null }): string {
  const address = mailbox.address ?? mailbox.email ?? '';
  if (!mailbox.name) return address;
  return `"${mailbox.name.replace(/["\\]/g, '\\$&')}" <${address}>`;
}

function fallback(part: string): EmailAddressShape {
  const angle = /^(.*)<([^<>]*)>\s*$/s.exec(part);
  if (!angle) return { address: part.trim(), name: null };
  const name = (angle[1] ?? '')
    .trim()
    .replace(/^"(.*)"$/s, '$1')
    .replace(/\\(.)/g, '$1');
  return { address: (angle[2] ?? '').trim(), name: name || null };
}

/** Every mailbox in a header value or list of them; unparseable parts are kept as they were, never dropped. */
export function parseAddresses(value: string | string[] | null | undefined): EmailAddressShape[] {
  if (value === null || value === undefined) return [];
  const parts = Array.isArray(value) ? value : [value];
  return parts.flatMap((part) => {
    const trimmed = part.trim();
    if (trimmed === '' || trimmed === '<>') return [];
    const parsed =
      trimmed.length <= MAX_PARSED_LENGTH
        ? emailAddresses.parseAddressList({ input: trimmed, rfc6532: true })
        : null;
    if (parsed === null) return splitOutsideQuotes(trimmed).map(fallback);
    return parsed.flatMap((entry) =>
      entry.type === 'group'
        ? entry.addresses.map((mailbox) => ({ address: mailbox.address, name: mailbox.name || null }))
        : [{ address: entry.address, name: entry.name || null }],
    );
  });
}

export function parseAddress(value: string | null | undefined): EmailAddressShape | null {
  return parseAddresses(value)[0] ?? null;
}

function splitOutsideQuotes(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i += 1) {
    const char = value[i] as string;
    if (char === '\\' && quoted) {
      current += char + (value[i + 1] ?? '');
      i += 1;
      continue;
    }
    if (char === '"') quoted = !quoted;
    if (char === ',' && !quoted) {
      if (current.trim()) parts.push(current.trim());
      current = '';
    } else current += char;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

export const EmailAddressRef = builder.objectRef<EmailAddressShape>('EmailAddress').implement({
  description: 'A mailbox: an address with an optional display name.',
  fields: (t) => ({
    address: t.exposeString('address', { description: 'The address, e.g. `alice@example.net`.' }),
    name: t.exposeString('name', {
      nullable: true,
      description: 'The display name, e.g. `Alice Example`; null when there is none.',
    }),
    formatted: t.string({
      description: 'The mailbox as an RFC 5322 header shows it, e.g. `"Alice Example" <alice@example.net>`.',
      resolve: (mailbox) => formatMailbox(mailbox),
    }),
  }),
});
