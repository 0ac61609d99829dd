import { z } from 'zod';
import { jsonResponse, problemResponse, IdempotentResponse } from '../idempotency';
import { ProblemError } from '../problem-details';
import type { AcknowledgeResult } from './stuck-reports';

/** The body of POST /sagas/:orderId/acknowledge: why, and (optionally) the person behind the API key. */
export const acknowledgeRequest = z.strictObject({
  note: z.string().trim().min(1, 'say what is being done about it').max(500),
  by: z.string().trim().min(1).max(200).optional(),
});
export type AcknowledgeRequest = z.output<typeof acknowledgeRequest>;

/** `?includeAcknowledged=true|false` (default false). */
export function includeAcknowledgedParam(value: string | undefined): boolean {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw ProblemError.of(400, 'validation', 'Your request is not valid', 'includeAcknowledged must be true or false', { errors: [{ field: 'includeAcknowledged', message: 'must be true or false' }] });
}

/** 200 with what was acknowledged now and what is open; 404 when the order has no open report (stored like a success). */
export function acknowledgeAnswer(orderId: string, result: AcknowledgeResult): IdempotentResponse {
  if (!result.ok) return problemResponse(ProblemError.of(404, 'not-stuck', 'Nothing to acknowledge', `Order ${orderId} has no open stuck report here.`).problem);
  return jsonResponse(200, {
    orderId,
    acknowledgedNow: result.acknowledged.map((r) => ({ stage: r.stage, level: r.level })),
    open: result.open.map((r) => ({ stage: r.stage, level: r.level, acknowledgedAt: r.acknowledgedAt?.toISOString() ?? null, acknowledgedBy: r.acknowledgedBy })),
  });
}
