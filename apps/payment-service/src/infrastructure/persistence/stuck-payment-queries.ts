import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PaymentStuckStage } from '../../domain/payment-stuck';

/** A payment in a stage the monitor watches, since when, and the operation it hangs on. */
export interface WatchedPayment {
  paymentId: string;
  orderId: string;
  stage: PaymentStuckStage;
  since: Date;
  operationType: string | null;
  attempts: number | null;
  lastError: string | null;
}

interface Row {
  payment_id: string;
  order_id: string;
  stage: PaymentStuckStage;
  since: Date;
  operation_type: string | null;
  attempts: number | null;
  last_error: string | null;
}

/** The saga monitor's reads over payments and their operations. */
@Injectable()
export class StuckPaymentQueries {
  /**
   * Payments in REQUIRES_REVIEW since `reviewBefore` or earlier (since their latest entry into
   * review), and payments not in review with an operation UNKNOWN or IN_FLIGHT since
   * `unknownBefore` or earlier (the oldest such operation), with the operation under review or in
   * doubt, its attempts and last error.
   */
  async watched(manager: EntityManager, reviewBefore: Date, unknownBefore: Date): Promise<WatchedPayment[]> {
    const inReview = await manager.query<Row[]>(
      `SELECT p.id AS payment_id, p.order_id, 'REQUIRES_REVIEW' AS stage, r.since, o.type AS operation_type, o.attempts, o.last_error
         FROM payments p
         CROSS JOIN LATERAL (SELECT max(t.at) AS since FROM payment_transition t WHERE t.payment_id = p.id AND t.to_status = 'REQUIRES_REVIEW') r
         LEFT JOIN payment_operation o ON o.id = p.review_operation_id
        WHERE p.status = 'REQUIRES_REVIEW' AND r.since <= $1
        LIMIT 10000`,
      [reviewBefore],
    );
    const inDoubt = await manager.query<Row[]>(
      `SELECT DISTINCT ON (p.id) p.id AS payment_id, p.order_id, 'OPERATION_UNKNOWN' AS stage, o.created_at AS since, o.type AS operation_type, o.attempts, o.last_error
         FROM payments p JOIN payment_operation o ON o.payment_id = p.id
        WHERE p.status <> 'REQUIRES_REVIEW' AND o.status IN ('UNKNOWN', 'IN_FLIGHT') AND o.created_at <= $1
        ORDER BY p.id, o.created_at
        LIMIT 10000`,
      [unknownBefore],
    );
    const rows = [...inReview, ...inDoubt];
    return rows.map((r) => ({ paymentId: r.payment_id, orderId: r.order_id, stage: r.stage, since: r.since, operationType: r.operation_type, attempts: r.attempts, lastError: r.last_error }));
  }
}
