/** Assembles the schema: importing each domain file registers its types and fields on the builder. */
import { lexicographicSortSchema, printSchema } from 'graphql';
import { builder } from './builder.js';
import './errors.js';
import './inbound-address.js';
import './incoming-status.js';
import './custom-domain.js';
import './outbound-message.js';
import './sending-domain.js';
import './cloudmailin-sending-domain.js';
import './cloudflare-sending-subdomain.js';
import './sending-domain-operations.js';
import './send-email.js';
import './rate-limit.js';
import './message-events.js';
import './inbound-email.js';
import './inbound-email-simulate.js';

export const schema = builder.toSchema({ sortSchema: true });

/** The SDL checked in at `schema/schema.graphql`. */
export function printSortedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
