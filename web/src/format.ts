/** Words and times as the page shows them. */
import type { EmailProvider, MessageEventKind } from './gql/graphql.js';

export const PROVIDERS: Record<EmailProvider, string> = {
  CLOUDMAILIN: 'CloudMailin',
  CLOUDFLARE: 'Cloudflare',
};

const KINDS: Record<MessageEventKind, string> = {
  AUTO_REPLY: 'auto-reply',
  BOUNCE: 'bounced',
  BOUNCE_REPLY: 'bounce reply',
  CLICK: 'clicked',
  COMPLAINT: 'complaint',
  DELIVERY: 'delivered',
  DISPATCH: 'dispatched',
  DISPATCH_SOFT_BOUNCE: 'dispatch soft bounce',
  ERROR: 'error',
  OPEN: 'opened',
  OTHER: 'other',
  RATE_LIMIT: 'rate limited',
  READ: 'read',
  REGISTRATION: 'registered',
  RETRIES_EXHAUSTED: 'retries exhausted',
  SOFT_BOUNCE: 'soft bounce',
  SUPPRESSED: 'suppressed',
};

/** A delivery event's kind in words. */
export function kindLabel(kind: MessageEventKind): string {
  return KINDS[kind] ?? kind.toLowerCase();
}

/** good, bad or neutral: how a kind is coloured (always beside its words, never instead of them). */
export function kindTone(kind: MessageEventKind | null | undefined): 'good' | 'bad' | 'warn' | 'neutral' {
  switch (kind) {
    case 'DELIVERY':
    case 'OPEN':
    case 'READ':
    case 'CLICK':
      return 'good';
    case 'BOUNCE':
    case 'ERROR':
    case 'COMPLAINT':
    case 'SUPPRESSED':
    case 'RETRIES_EXHAUSTED':
      return 'bad';
    case 'SOFT_BOUNCE':
    case 'DISPATCH_SOFT_BOUNCE':
    case 'RATE_LIMIT':
      return 'warn';
    default:
      return 'neutral';
  }
}

const timeOnly = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const dateAndTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** The time alone when it is today, else the date too; an empty string when unknown. */
export function formatTime(value: string | null | undefined): string {
  if (!value) return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toDateString() === new Date().toDateString() ? timeOnly.format(date) : dateAndTime.format(date);
}

/** Whole seconds from now until `value` (0 when past). */
export function secondsUntil(value: string | number, now = Date.now()): number {
  const at = typeof value === 'number' ? value : Date.parse(value);
  return Number.isNaN(at) ? 0 : Math.max(0, Math.ceil((at - now) / 1000));
}
