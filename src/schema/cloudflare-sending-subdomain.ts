/** Cloudflare Email Sending subdomains, one list per configured zone. */
import { NotFoundError } from '../errors.js';
import { subdomainKey } from '../loaders.js';
import { builder } from './builder.js';
import { joinIds, splitIds } from './ids.js';
import {
  type CloudflareSendingSubdomainShape,
  SendingDomainInterface,
  cloudflareSubdomain,
} from './sending-domain.js';
import { dateOrNull } from './validate.js';

export const CloudflareSendingSubdomainRef = builder.objectRef<CloudflareSendingSubdomainShape>(
  'CloudflareSendingSubdomain',
);

builder.node(CloudflareSendingSubdomainRef, {
  description: 'A Cloudflare Email Sending subdomain of one of the configured zones.',
  interfaces: [SendingDomainInterface],
  isTypeOf: (value) => (value as CloudflareSendingSubdomainShape).kind === 'cloudflare',
  // The zone is part of the identity: every Cloudflare call about a subdomain is made under its zone.
  id: { resolve: (shape) => joinIds(shape.zoneId, shape.wire.id) },
  loadWithoutCache: async (id, context) => {
    const [zoneId, tag] = splitIds(id, 'id');
    try {
      return cloudflareSubdomain(
        zoneId,
        await context.loaders.cloudflareSubdomain.load(subdomainKey(zoneId, tag)),
      );
    } catch (error) {
      if (error instanceof NotFoundError) return null;
      throw error;
    }
  },
  fields: (t) => ({
    subdomainTag: t.string({
      description: "Cloudflare's identifier of the subdomain (its `tag`).",
      resolve: (s) => s.wire.id,
    }),
    zoneId: t.exposeString('zoneId', { description: 'The Cloudflare zone the subdomain belongs to.' }),
    enabled: t.boolean({
      description: 'Whether Email Sending is enabled on the subdomain.',
      resolve: (s) => s.wire.enabled === true,
    }),
    dkimSelector: t.string({
      nullable: true,
      description: 'The DKIM selector used for signing, e.g. `cf-bounce`.',
      resolve: (s) => s.wire.dkim_selector ?? null,
    }),
    returnPathDomain: t.string({
      nullable: true,
      description: 'The return-path domain used for bounce handling, e.g. `cf-bounce.sub.example.com`.',
      resolve: (s) => s.wire.return_path_domain ?? null,
    }),
    previewEnabled: t.boolean({
      nullable: true,
      description:
        'Whether messages sent from the subdomain can be previewed in Cloudflare’s activity log (`preview_enabled`; change it with `updateSendingDomain`). Null when Cloudflare does not say.',
      resolve: (s) => s.wire.preview_enabled ?? null,
    }),
    createdAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the subdomain was created.',
      resolve: (s) => dateOrNull(s.wire.created),
    }),
    modifiedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the subdomain was last changed.',
      resolve: (s) => dateOrNull(s.wire.modified),
    }),
  }),
});
