/** CloudMailin sending domains ("outbound domains" in its dashboard). */
import { NotFoundError } from '../errors.js';
import { builder } from './builder.js';
import {
  type CloudMailinSendingDomainShape,
  SendingDomainInterface,
  cloudMailinDomain,
} from './sending-domain.js';

export const CloudMailinSendingDomainRef =
  builder.objectRef<CloudMailinSendingDomainShape>('CloudMailinSendingDomain');

builder.node(CloudMailinSendingDomainRef, {
  description: 'A CloudMailin sending domain (an "outbound domain" in the dashboard).',
  interfaces: [SendingDomainInterface],
  isTypeOf: (value) => (value as CloudMailinSendingDomainShape).kind === 'cloudmailin',
  id: { resolve: (shape) => shape.wire.id },
  loadWithoutCache: async (id, context) => {
    try {
      return cloudMailinDomain(await context.loaders.sendingDomain.load(id));
    } catch (error) {
      if (error instanceof NotFoundError) return null;
      throw error;
    }
  },
  fields: (t) => ({
    domainId: t.string({ description: "CloudMailin's own id of the domain.", resolve: (s) => s.wire.id }),
    mtaDomain: t.string({
      nullable: true,
      description:
        'The return-path (MTA) domain, e.g. `mta.example.com`; it needs a CNAME to `requiredCname`.',
      resolve: (s) => s.wire.mta_domain ?? null,
    }),
    requiredCname: t.string({
      nullable: true,
      description: 'Where the MTA domain must point, e.g. `feedback-smtp.cloudmta.net`.',
      resolve: (s) => s.wire.required_cname ?? null,
    }),
    dkimSelector: t.string({
      nullable: true,
      description: 'The DKIM selector.',
      resolve: (s) => s.wire.dkim_selector ?? null,
    }),
    dkimDomain: t.string({
      nullable: true,
      description: 'Where the DKIM key is published: `{selector}._domainkey.{domain}`.',
      resolve: (s) => s.wire.dkim_domain ?? null,
    }),
    dkimPublicRecord: t.string({
      nullable: true,
      description: 'The DKIM TXT record value to publish.',
      resolve: (s) => s.wire.dkim_public_record ?? null,
    }),
    dkimVerified: t.boolean({
      nullable: true,
      description: 'Whether the DKIM record was found; null when not checked yet.',
      resolve: (s) => s.wire.dkim_verified ?? null,
    }),
    returnPathVerified: t.boolean({
      nullable: true,
      description: 'Whether the return-path CNAME was found; null when not checked yet.',
      resolve: (s) => s.wire.return_path_verified ?? null,
    }),
    spfVerified: t.boolean({
      nullable: true,
      description: 'Whether SPF passes for the return-path domain; null when not checked yet.',
      resolve: (s) => s.wire.spf_verified ?? null,
    }),
  }),
});
