/**
 * The CloudMailin emulator's seed data. The top-level ids below are fixed, whatever the seed, so docs
 * and tests can name them; the bulk (statuses, outbound messages, DKIM keys) comes from the seeded PRNG.
 * Every timestamp is relative to DEMO_EPOCH, never to the wall clock, so the data is the same every day.
 */
import type { Address, CustomDomain, IncomingStatus } from '../upstream/cloudmailin-wire.js';
import {
  type OutboundRecipientRecord,
  type OutboundRecord,
  type PlannedEvent,
  bounceDetails,
  deliveryDetails,
  remoteHostFor,
  softBounceDetails,
} from './cloudmailin-outbound.js';
import {
  type AddressRecord,
  type CloudMailinState,
  type SendingDomainRecord,
  newSendingDomain,
} from './cloudmailin-records.js';
import type { Random } from './random.js';

export const DEMO_EPOCH = Date.parse('2026-11-01T00:00:00Z');

export const DEMO_CLOUDMAILIN = {
  epoch: '2026-11-01T00:00:00.000Z',
  addressIds: {
    support: 'aaaa740b4c5c37b1aaaa',
    invoices: 'b7e2c91d04f3a6581c2d',
    replies: '3c9f0a7e2d41b8e6f5a0',
    staging: '5e1d8b3a9f2c7046d1e9',
  },
  /** The first custom domain of the support address (`support.example.com`). */
  customDomainId: '0f3a9c2e5b7d4186',
  sendingDomainIds: {
    /** example.com: every record verified */
    verified: '226c806f758619c5',
    /** mail.example.org: every record verified */
    verifiedSecondary: '8d41f0b2c7e39a56',
    /** marketing.example.net: DKIM and SPF verified, return path not; the next verify call passes */
    partial: 'e5a7c3190bd4f826',
    /** newsletter.example.invalid: nothing verified, and verification never passes */
    unverified: 'f19b6e2a4c08d375',
  },
  /** The newest outbound message (the spec's example id). */
  outboundMessageId: '724b9ef2-94ee-4fb0-b722-082204633911',
  outboundMessageCount: 48,
} as const;

const MINUTE = 60_000;

interface DemoAddress {
  address: Address;
  domains: Array<[id: string, domain: string, authRegex: string | null, domainTarget: string | null]>;
}

const DEMO_ADDRESSES: DemoAddress[] = [
  {
    address: {
      id: DEMO_CLOUDMAILIN.addressIds.support,
      target: 'https://user:pass@example.com/inbound',
      target_format: 'json+n',
      nickname: 'Support inbox',
      attachments: {},
    },
    domains: [
      [DEMO_CLOUDMAILIN.customDomainId, 'support.example.com', null, null],
      ['6b2d8e0f1a9c3457', 'help.example.com', '(support|help)[0-9]*@help\\.example\\.com', null],
    ],
  },
  {
    address: {
      id: DEMO_CLOUDMAILIN.addressIds.invoices,
      target: 'https://hooks.example.org/cloudmailin/invoices',
      target_format: 'multipart+n',
      nickname: 'Invoices',
      attachments: {},
    },
    domains: [['9a7c5e3b1d0f2468', 'invoices.example.org', 'billing[0-9]*@invoices\\.example\\.org', null]],
  },
  {
    address: {
      id: DEMO_CLOUDMAILIN.addressIds.replies,
      target: 'https://app.example.net/webhooks/replies?token=demo-token',
      target_format: 'json+n',
      nickname: 'Replies',
      attachments: {},
    },
    domains: [
      ['c4e6a8b0d2f41357', 'reply.example.net', null, null],
      ['d1f3b5a7c9e02846', '*.replies.example.net', null, 'https://app.example.net/webhooks/threads'],
      ['e8a0c2e4f6b81359', 'reply.example.co.uk', 'reply\\+[a-z0-9]+@reply\\.example\\.co\\.uk', null],
    ],
  },
  {
    address: {
      id: DEMO_CLOUDMAILIN.addressIds.staging,
      target: 'https://staging.example.com/mail',
      target_format: 'multipart+n',
      nickname: null,
      attachments: {},
    },
    domains: [
      ['2f4a6c8e0b1d3579', 'staging.example.com', null, null],
      ['7e9c1a3f5b0d2468', 'qa.example.com', null, 'https://qa.example.com/mail'],
    ],
  },
];

const SENDERS = [
  'alice@example.net',
  'bob.smith@example.org',
  'carol.jones@customer.example',
  'dave@partner.example.com',
  'billing@vendor.example',
  'no-reply@notifications.example.com',
  'support@helpdesk.example',
  'erin.lee@example.co.uk',
  'frank.mueller@example.de',
  'bounces+8412@mta.newsletter.example',
];

const INBOUND_SUBJECTS = [
  'Re: Order #4821',
  'Invoice INV-2026-0193',
  'Question about my account',
  'Fwd: Meeting notes',
  'Your ticket has been updated',
  'Re: Re: Contract draft',
  'Password reset request',
  'Delivery Status Notification (Failure)',
  'Out of office: back on Monday',
  'New comment on your post',
  'Monthly statement for October',
  'Re: Support request #1198',
  'Quote request',
  'Re: Shipping delay',
];

const INBOUND_STATUSES: ReadonlyArray<readonly [string, number]> = [
  ['200', 60],
  ['201', 10],
  ['404', 8],
  ['422', 7],
  ['500', 6],
  ['503', 6],
  ['client_timeout', 3],
];

const LOCAL_PARTS = ['support', 'help', 'billing', 'reply', 'hello', 'team'];

/** Recipient addresses a mail to this address could have had: its own, or one at a custom domain. */
function inboundRecipients(record: AddressRecord): string[] {
  return [
    `${record.address.id}@cloudmailin.net`,
    ...record.customDomains.map((domain) => domain.domain.replace(/^\*\./, 'thread-42.')),
  ];
}

function messageIdLike(random: Random): string {
  if (random.chance(0.5)) {
    const token = random.bytes(30).toString('base64').replace(/\//g, '_').replace(/=+$/, '');
    return `CA${token}@mail.gmail.com`;
  }
  return `${random.hex(16)}.${random.hex(8)}@${random.pick(['example.org', 'mail.example.net', 'mx.example.com'])}`;
}

/** One incoming status; `overrides` win over the generated values. */
export function inboundStatus(
  random: Random,
  record: AddressRecord,
  createdAt: number,
  overrides: Partial<Pick<IncomingStatus, 'from' | 'to' | 'subject' | 'status'>> = {},
): IncomingStatus {
  const recipient = random.pick(inboundRecipients(record));
  const to = recipient.includes('@') ? recipient : `${random.pick(LOCAL_PARTS)}@${recipient}`;
  const generated = {
    id: random.uuid(),
    message_id: messageIdLike(random),
    to,
    from: random.pick(SENDERS),
    status: random.weighted(INBOUND_STATUSES),
    subject: random.pick(INBOUND_SUBJECTS),
    tls: random.chance(0.8) ? 'TLSv1.3' : 'TLSv1.2',
    md5: random.hex(32),
    created_at: new Date(createdAt).toISOString(),
  };
  const given = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value != null));
  return { ...generated, ...given, status: String(given.status ?? generated.status) };
}

function demoAddresses(random: Random): AddressRecord[] {
  return DEMO_ADDRESSES.map(({ address, domains }) => {
    const record: AddressRecord = {
      address: { ...address },
      statuses: [],
      customDomains: domains.map(
        ([id, domain, authRegex, domainTarget]): CustomDomain => ({
          id,
          domain,
          auth_regex: authRegex,
          domain_target: domainTarget,
        }),
      ),
    };
    let at = DEMO_EPOCH - random.int(5, 90) * MINUTE;
    const count = random.int(40, 120);
    for (let i = 0; i < count; i++) {
      record.statuses.push(inboundStatus(random, record, at));
      at -= random.int(2, 720) * MINUTE;
    }
    return record;
  });
}

const OUTBOUND_SENDERS = [
  'Example Support <support@example.com>',
  'Example Billing <billing@example.com>',
  'no-reply@mail.example.org',
  'Example Team <team@mail.example.org>',
];

const OUTBOUND_TEMPLATES: ReadonlyArray<readonly [subject: string, tags: string[]]> = [
  ['Your receipt from Example #{n}', ['receipts']],
  ['Reset your password', ['password-reset', 'security']],
  ['Welcome to Example!', ['welcome', 'onboarding']],
  ['Your order #{n} has shipped', ['orders', 'shipping']],
  ['Verify your email address', ['verification']],
  ['Your weekly summary', ['digest']],
  ['Invoice INV-2026-{n} is ready', ['invoices']],
  ['New sign-in to your account', ['security']],
];

const PEOPLE = [
  ['Olivia Martin', 'olivia@example.net'],
  ['Liam Chen', 'liam.chen@example.org'],
  ['Noah Patel', 'noah.patel@customer.example'],
  ['Emma Rossi', 'emma.rossi@example.it'],
  ['Ava Johnson', 'ava@example.com'],
  ['Lucas Silva', 'lucas.silva@example.com.br'],
  ['Mia Novak', 'mia.novak@example.cz'],
  ['Ethan Brown', 'ethan.brown@partner.example.com'],
  ['Sofia Garcia', 'sofia.garcia@example.es'],
  ['Jonas Weber', 'jonas.weber@example.de'],
  ['Old Account', 'old-account@example.net'],
  ['Chloe Dubois', 'chloe.dubois@example.fr'],
] as const;

type Scenario = 'delivered' | 'opened' | 'clicked' | 'bounced' | 'deferred' | 'retrying' | 'dispatched';

const SCENARIOS: ReadonlyArray<readonly [Scenario, number]> = [
  ['delivered', 35],
  ['opened', 20],
  ['clicked', 12],
  ['bounced', 10],
  ['deferred', 10],
  ['retrying', 5],
  ['dispatched', 8],
];

function demoEvents(random: Random, email: string, messageId: string, sentAt: number): PlannedEvent[] {
  const scenario = random.weighted(SCENARIOS);
  let at = sentAt;
  const events: PlannedEvent[] = [{ kind: 'registration', at, details: {} }];
  at += random.int(1_000, 4_000);
  events.push({ kind: 'dispatch', at, details: { remote_host: remoteHostFor(email) } });
  if (scenario === 'dispatched') return events;
  at += random.int(1_000, 8_000);
  if (scenario === 'bounced') return [...events, { kind: 'bounce', at, details: bounceDetails(email) }];
  if (scenario === 'deferred' || scenario === 'retrying') {
    events.push({ kind: 'soft_bounce', at, details: softBounceDetails(email) });
    if (scenario === 'retrying') return events;
    at += random.int(5, 45) * MINUTE;
  }
  events.push({ kind: 'delivery', at, details: deliveryDetails(email, messageId) });
  if (scenario === 'opened' || scenario === 'clicked') {
    at += random.int(2, 600) * MINUTE;
    events.push({ kind: 'open', at, details: {} });
  }
  if (scenario === 'clicked') {
    at += random.int(5, 300) * 1_000;
    events.push({ kind: 'click', at, details: {} });
  }
  return events;
}

/** Oldest first, like the emulator's own store; the newest has the fixed demo id. */
function demoOutbound(random: Random): OutboundRecord[] {
  const records: OutboundRecord[] = [];
  let at = DEMO_EPOCH - 17 * MINUTE;
  for (let i = 0; i < DEMO_CLOUDMAILIN.outboundMessageCount; i++) {
    const id = i === 0 ? DEMO_CLOUDMAILIN.outboundMessageId : random.uuid();
    const [subjectTemplate, tags] = random.pick(OUTBOUND_TEMPLATES);
    const people = random.shuffle(PEOPLE).slice(0, random.int(1, 4));
    const toCount = random.int(1, people.length);
    const mailboxes = people.map(([name, email]) => (random.chance(0.6) ? `${name} <${email}>` : email));
    const recipients: OutboundRecipientRecord[] = people.map(([, email]) => ({
      email,
      events: demoEvents(random, email, id, at),
    }));
    records.push({
      id,
      from: random.pick(OUTBOUND_SENDERS),
      subject: subjectTemplate.replace('{n}', String(random.int(1000, 9999))),
      to: mailboxes.slice(0, toCount),
      cc: mailboxes.slice(toCount),
      tags: [...tags],
      createdAt: at,
      recipients,
      historical: true,
    });
    at -= random.int(20, 900) * MINUTE;
  }
  return records.reverse();
}

function demoSendingDomains(random: Random): SendingDomainRecord[] {
  const ids = DEMO_CLOUDMAILIN.sendingDomainIds;
  const all = { dkim_verified: true, return_path_verified: true, spf_verified: true };
  const none = { dkim_verified: false, return_path_verified: false, spf_verified: false };
  return [
    {
      domain: newSendingDomain(random, ids.verified, 'example.com', all),
      verifyAttempts: 0,
      passesOnAttempt: 1,
    },
    {
      domain: newSendingDomain(random, ids.verifiedSecondary, 'mail.example.org', all),
      verifyAttempts: 0,
      passesOnAttempt: 1,
    },
    {
      domain: newSendingDomain(random, ids.partial, 'marketing.example.net', {
        ...all,
        return_path_verified: false,
      }),
      verifyAttempts: 0,
      passesOnAttempt: 1,
    },
    {
      domain: newSendingDomain(random, ids.unverified, 'newsletter.example.invalid', none),
      verifyAttempts: 0,
      passesOnAttempt: null,
    },
  ];
}

export function buildCloudMailinDemo(random: Random): CloudMailinState {
  return {
    addresses: demoAddresses(random),
    outbound: demoOutbound(random),
    sendingDomains: demoSendingDomains(random),
  };
}
