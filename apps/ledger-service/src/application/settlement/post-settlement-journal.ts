import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LedgerEntryPostedV1 } from '@paystate/contracts';
import { appendToOutbox } from '@paystate/messaging';
import { OrderJournals, RecordResult } from '../order-journals';

/** One line of the processor's settlement report, as reconciliation matched it to a captured payment. */
export interface SettlementLine {
  /** A stable uuid of the report line (or of the event reporting it): the journal's source event id. */
  sourceId: string;
  orderId: string;
  paymentId: string;
  currency: string;
  gross: number;
  fee: number;
  net: number;
}

/**
 * SPEC §4 step 10: the processor paid out a captured payment: SETTLEMENT (Dr cash net + Dr fees fee /
 * Cr processor_receivable gross) and its LedgerEntryPosted, in one transaction. Ready for the
 * reconciliation step to call (no consumer yet); idempotent per payment (`SETTLEMENT:<paymentId>`).
 * A refused line (no capture journal, gross ≠ net + fee, other currency) is returned, not thrown:
 * reconciliation classifies it as a discrepancy.
 */
@Injectable()
export class PostSettlementJournal {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource, private readonly journals: OrderJournals) {}

  execute(line: SettlementLine, now: Date): Promise<RecordResult> {
    return this.dataSource.transaction((manager) =>
      this.journals.record(
        manager,
        { kind: 'settled', sourceEventId: line.sourceId, sourceEventType: 'SettlementReportLine', orderId: line.orderId, paymentId: line.paymentId, currency: line.currency, gross: line.gross, fee: line.fee, net: line.net },
        { eventId: line.sourceId, now },
        async (payload, journal) => {
          await appendToOutbox(manager, [
            { contract: LedgerEntryPostedV1, payload, id: journal.id, aggregateId: journal.orderId, cause: { correlationId: journal.orderId, causationId: line.sourceId }, occurredAt: now },
          ]);
        },
      ),
    );
  }
}
