import { PoisonMessageError } from '@paystate/messaging';
import type { ConsumedEvent, HandlerContext } from '@paystate/messaging';
import { LedgerEntryPostedV1 } from '@paystate/contracts';
import type { LedgerFact } from '../domain/order-ledger';
import { OrderJournals } from './order-journals';

/**
 * Records a consumed fact in the inbox transaction and emits each journal's LedgerEntryPosted there
 * too, under the journal id as event id (one event per journal, even if re-emitted). A fact the
 * ledger refuses can never apply: it goes to the dead-letter topic instead of being retried.
 */
export async function recordConsumedFact(journals: OrderJournals, event: ConsumedEvent, ctx: HandlerContext, fact: LedgerFact): Promise<void> {
  const result = await journals.record(ctx.manager, fact, { eventId: event.id, now: ctx.now }, (payload, journal) => {
    ctx.emit(LedgerEntryPostedV1, payload, { id: journal.id, aggregateId: journal.orderId });
  });
  if (result.outcome === 'rejected') throw new PoisonMessageError(`${event.type} ${event.id} refused by the ledger (${result.reason}): ${result.detail}`);
}

/** The fields every fact takes from the event that told it. */
export const sourceOf = (event: ConsumedEvent) => ({ sourceEventId: event.id, sourceEventType: event.type });
