import { Inject, Injectable } from '@nestjs/common';
import { failpoint } from '@paystate/failpoints';
import type { OperationType, Payment } from '../../domain/payment';

export const PROCESSOR_SETTINGS = Symbol('PROCESSOR_SETTINGS');

export interface ProcessorSettings {
  url: string;
  apiKey: string;
  timeoutMs: number;
}

/**
 * What a processor call told us. `unknown` is the honest answer to a timeout, a dropped
 * connection, a 5xx, a 429 or a request still in progress: the processor may or may not have
 * executed it, so the payment must not move until we know.
 */
export type ProcessorResult =
  | { kind: 'succeeded'; objectId: string }
  | { kind: 'failed'; code: string; detail: string }
  | { kind: 'unknown'; reason: string };

export interface ProcessorCall {
  operationId: string;
  type: OperationType;
  amount: number;
}

interface ProcessorBody {
  id?: string;
  code?: string;
  declineCode?: string;
  detail?: string;
  title?: string;
}

/** The card processor's HTTP API; every call carries our operation id as its Idempotency-Key. */
@Injectable()
export class ProcessorClient {
  constructor(@Inject(PROCESSOR_SETTINGS) private readonly settings: ProcessorSettings) {}

  async perform(call: ProcessorCall, payment: Payment): Promise<ProcessorResult> {
    const result = await this.send(call, payment);
    // whatever the answer, before the caller records it: a kill here is F3 (the processor may have acted, we know nothing)
    await failpoint.async('payment.after-processor-call');
    return result;
  }

  private async send(call: ProcessorCall, payment: Payment): Promise<ProcessorResult> {
    const request = this.requestFor(call, payment);
    if ('missing' in request) return { kind: 'failed', code: 'no_authorisation', detail: request.missing };
    let response: Response;
    try {
      response = await fetch(`${this.settings.url}${request.path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.settings.apiKey}`,
          'idempotency-key': call.operationId,
          'content-type': 'application/json',
        },
        body: JSON.stringify(request.body),
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
    } catch (error) {
      return { kind: 'unknown', reason: `no answer: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}` };
    }
    let body: ProcessorBody = {};
    try {
      body = (await response.json()) as ProcessorBody;
    } catch {
      // a body cut off mid-way says nothing about the outcome
      if (response.ok) return { kind: 'unknown', reason: `unreadable ${response.status} answer` };
    }
    return classify(response.status, body);
  }

  private requestFor(call: ProcessorCall, payment: Payment): { path: string; body: object } | { missing: string } {
    if (call.type === 'AUTHORISE') {
      return { path: '/v1/authorisations', body: { amount: call.amount, currency: payment.currency, paymentMethod: payment.paymentMethod, reference: payment.id } };
    }
    if (!payment.authorisationId) return { missing: `${call.type} needs an authorisation, and payment ${payment.id} has none` };
    const base = `/v1/authorisations/${encodeURIComponent(payment.authorisationId)}`;
    switch (call.type) {
      case 'CAPTURE':
        return { path: `${base}/capture`, body: { amount: call.amount } };
      case 'VOID':
        return { path: `${base}/void`, body: {} };
      case 'REFUND':
        return { path: `${base}/refunds`, body: { amount: call.amount } };
    }
  }
}

/** Maps the processor's answer to an outcome; anything that does not prove success or failure is unknown. */
export function classify(status: number, body: ProcessorBody): ProcessorResult {
  if (status >= 200 && status < 300) {
    return body.id ? { kind: 'succeeded', objectId: body.id } : { kind: 'unknown', reason: `${status} without an object id` };
  }
  const code = body.declineCode ?? body.code ?? `http_${status}`;
  const detail = body.detail ?? body.title ?? `processor answered ${status}`;
  if (status === 402) return { kind: 'failed', code, detail };
  // a definitive refusal of the request itself: invalid state (e.g. capture of a voided authorisation), unknown object, bad request
  if (status === 400 || status === 404 || (status === 409 && body.code !== 'request_in_progress')) return { kind: 'failed', code, detail };
  // 409 in progress, 422 key reuse, 401/403 configuration, 429 throttled, 5xx: we do not know
  return { kind: 'unknown', reason: `${status} ${code}` };
}
