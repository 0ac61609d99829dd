import type { Response } from 'express';
import type { ProblemDetails } from '../problem-details';

/**
 * A response exactly as it is sent and stored: the body is the string on the wire, so a replay is
 * byte-identical to the original (no re-serialisation in between).
 */
export interface IdempotentResponse {
  status: number;
  contentType: string;
  body: string;
}

export const jsonResponse = (status: number, value: unknown): IdempotentResponse => ({
  status,
  contentType: 'application/json; charset=utf-8',
  body: JSON.stringify(value),
});

/** A business refusal (402, 409, 422 …) to be stored and replayed like a success. */
export const problemResponse = (problem: ProblemDetails): IdempotentResponse => ({
  status: problem.status,
  contentType: 'application/problem+json; charset=utf-8',
  body: JSON.stringify(problem),
});

export function sendIdempotentResponse(res: Response, response: IdempotentResponse, { replayed = false }: { replayed?: boolean } = {}): void {
  res.status(response.status);
  res.setHeader('Content-Type', response.contentType);
  if (replayed) res.setHeader('Idempotent-Replayed', 'true');
  res.send(response.body);
}
