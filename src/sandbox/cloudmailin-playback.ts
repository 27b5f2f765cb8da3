/**
 * Send playback: what CloudMailin's outbound events webhook would post about a message sent through the
 * emulator (NOTES §4: `{"events": [{kind, recipient, message_id, details}]}`, several per POST), posted
 * to mailgraph's own `/webhooks/cloudmailin/events` when each event happens.
 *
 * The events are the message's planned timeline (cloudmailin-outbound.ts), the same one the outbound
 * message reads show as the emulator clock reaches each event, so that a POST never announces an event
 * that `GET /outbound_messages/{id}` does not show yet. Events due at the same time go in one POST, in the
 * timeline's order. Internal kinds (spamd) are left out, as the show endpoint leaves them out. Each event
 * carries the `timestamp` the show endpoint gives it (the seed's field; NOTES calls it unverified), so a
 * history built from the posted events matches the show endpoint's, field for field.
 *
 * Inbound mail simulation is another function, elsewhere; both post through the one `WebhookPoster`.
 */
import { type OutboundRecord, isInternalKind } from './cloudmailin-outbound.js';
import type { WebhookPoster } from './webhook-poster.js';

export const CLOUDMAILIN_EVENTS_WEBHOOK_PATH = '/webhooks/cloudmailin/events';

/** One event as the events webhook posts it. */
export interface PostedEvent {
  kind: string;
  recipient: string;
  message_id: string;
  timestamp: string;
  details?: Record<string, string>;
}

/** The POSTs a sent message's events make, in time order: one per distinct event time. */
export function playbackBatches(record: OutboundRecord): Array<{ at: number; events: PostedEvent[] }> {
  const byTime = new Map<number, PostedEvent[]>();
  for (const recipient of record.recipients) {
    for (const event of recipient.events) {
      if (isInternalKind(event.kind)) continue;
      const posted: PostedEvent = {
        kind: event.kind,
        recipient: recipient.email,
        message_id: record.id,
        timestamp: new Date(event.at).toISOString(),
      };
      if (Object.keys(event.details).length > 0) posted.details = { ...event.details };
      const batch = byTime.get(event.at) ?? [];
      batch.push(posted);
      byTime.set(event.at, batch);
    }
  }
  // Within one time, the timeline's order per recipient is kept (registration before dispatch…).
  return [...byTime.entries()].sort(([a], [b]) => a - b).map(([at, events]) => ({ at, events }));
}

/** Schedules the events webhook POSTs of a message just sent (never for historical demo data). */
export function playBackSend(record: OutboundRecord, poster: WebhookPoster): void {
  if (record.historical) return;
  for (const { at, events } of playbackBatches(record)) {
    poster.postJsonAt(at, CLOUDMAILIN_EVENTS_WEBHOOK_PATH, { events });
  }
}
