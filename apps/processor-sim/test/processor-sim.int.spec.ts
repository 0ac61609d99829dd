import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { ServiceProcess, startServiceProcess } from '@paystate/stack';
import { JsonResponse, requestJson, sleep, testStack, waitFor } from '@paystate/testing';
import { WebhookReceiver, freePort } from './webhook-receiver';

/**
 * processor-sim as a black box on the real PostgreSQL of the test stack: its API, its own
 * idempotency, injected faults and signed webhooks to a receiver this test runs. Every test uses
 * its own reference (our payment id) and its own idempotency keys.
 */
const info = testStack();
const API_KEY = info.services['processor-sim']!.env['PROCESSOR_API_KEY']!;
const SECRETS = ['whsec_paystate_current', 'whsec_paystate_previous'];
let receiver: WebhookReceiver;
let processor: ServiceProcess;
let url: string;

type Body = Record<string, unknown>;

const newReference = (): string => `pay_${randomUUID()}`;
const newKey = (): string => `itest-${randomUUID()}`;

function call(path: string, init: { method?: string; body?: unknown; key?: string; auth?: string | null } = {}): Promise<JsonResponse<Body>> {
  const headers: Record<string, string> = {};
  if (init.auth !== null) headers['authorization'] = `Bearer ${init.auth ?? API_KEY}`;
  if (init.key !== undefined) headers['idempotency-key'] = init.key;
  return requestJson<Body>(`${url}${path}`, { method: init.method ?? 'GET', headers, ...(init.body !== undefined ? { body: init.body } : {}) });
}

const authorise = (reference: string, paymentMethod = 'tok_visa_approve', key = newKey(), amount = 2500) =>
  call('/v1/authorisations', { method: 'POST', key, body: { amount, currency: 'EUR', paymentMethod, reference } });
const capture = (authId: string, key = newKey(), body: Body = {}) => call(`/v1/authorisations/${authId}/capture`, { method: 'POST', key, body });
const voidIt = (authId: string, key = newKey()) => call(`/v1/authorisations/${authId}/void`, { method: 'POST', key, body: {} });
const refund = (authId: string, key = newKey(), body: Body = {}) => call(`/v1/authorisations/${authId}/refunds`, { method: 'POST', key, body });
const records = async (reference: string) => (await call(`/admin/records?reference=${reference}`)).body as { counts: Record<string, number>; operations: Body[] };
const addFault = async (fault: Body) => expect((await call('/admin/faults', { method: 'POST', body: fault })).status).toBe(201);
const setWebhookMode = async (mode: Body) => expect((await call('/admin/webhooks/mode', { method: 'POST', body: mode })).status).toBe(200);

/** Waits for `count` webhook requests about a reference and returns them. */
const webhooksAbout = (reference: string, count: number) =>
  waitFor(`${count} webhook request(s) about ${reference}`, () => (receiver.about(reference).length >= count ? receiver.about(reference) : undefined), { timeoutMs: 15_000 });

beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  const port = await freePort();
  processor = await startServiceProcess(info, 'processor-sim', {
    PORT: String(port),
    PROCESSOR_WEBHOOK_URL: receiver.url,
    PROCESSOR_WEBHOOK_SECRETS: SECRETS.join(','),
    PROCESSOR_WEBHOOK_RETRY_BASE_MS: '100',
    PROCESSOR_SLOW_MS: '1500',
  });
  url = processor.url;
});

afterEach(async () => {
  await call('/admin/faults', { method: 'DELETE' });
  await setWebhookMode({ duplicate: false, outOfOrder: false });
});

afterAll(async () => {
  await processor?.stop();
  await receiver?.stop();
});

describe('authentication and request checks', () => {
  it('answers 401 without the API key or with another one, and executes nothing', async () => {
    const reference = newReference();
    const body = { amount: 100, currency: 'EUR', paymentMethod: 'tok_visa_approve', reference };
    expect((await call('/v1/authorisations', { method: 'POST', key: newKey(), body, auth: null })).status).toBe(401);
    const wrong = await call('/v1/authorisations', { method: 'POST', key: newKey(), body, auth: 'sk_test_wrong' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('content-type')).toContain('application/problem+json');
    expect((await call(`/v1/authorisations?reference=${reference}`, { auth: null })).status).toBe(401);
    expect((await records(reference)).counts['authorisations']).toBe(0);
  });

  it('requires an Idempotency-Key of 1 to 255 characters on every POST', async () => {
    const reference = newReference();
    const body = { amount: 100, currency: 'EUR', paymentMethod: 'tok_visa_approve', reference };
    expect((await call('/v1/authorisations', { method: 'POST', body })).body).toMatchObject({ status: 400, code: 'idempotency_key_missing' });
    expect((await call('/v1/authorisations', { method: 'POST', body, key: 'k'.repeat(256) })).status).toBe(400);
    expect((await call('/v1/authorisations/auth_x/void', { method: 'POST', body: {} })).status).toBe(400);
  });

  it('rejects bad input with the fields listed', async () => {
    const response = await call('/v1/authorisations', { method: 'POST', key: newKey(), body: { amount: -5, currency: 'EUX', paymentMethod: 'visa', reference: newReference(), extra: 1 } });
    expect(response.status).toBe(400);
    expect((response.body['errors'] as { field: string }[]).map((e) => e.field).sort()).toEqual(['amount', 'currency', 'extra', 'paymentMethod']);
  });
});

describe('test cards', () => {
  it('tok_visa_approve: authorised (201), captured, partly refunded, then refunded; a void after capture is 409 with a refund hint', async () => {
    const reference = newReference();
    const auth = await authorise(reference);
    expect(auth.status).toBe(201);
    expect(auth.body).toEqual({
      id: expect.stringMatching(/^auth_[0-9a-f-]{36}$/),
      object: 'authorisation',
      status: 'authorised',
      amount: 2500,
      currency: 'EUR',
      reference,
      paymentMethod: 'tok_visa_approve',
      createdAt: expect.any(String),
    });
    const authId = auth.body['id'] as string;
    const captured = await capture(authId);
    expect(captured.status).toBe(200);
    expect(captured.body).toMatchObject({ id: expect.stringMatching(/^cap_/), object: 'capture', status: 'succeeded', authorisationId: authId, amount: 2500, currency: 'EUR', reference });
    expect((await capture(authId)).body).toMatchObject({ status: 409, code: 'invalid_state' });
    expect((await voidIt(authId)).body).toMatchObject({ status: 409, code: 'invalid_state', hint: 'refund' });
    expect((await refund(authId, newKey(), { amount: 1000 })).body).toMatchObject({ object: 'refund', status: 'succeeded', amount: 1000 });
    expect((await refund(authId, newKey(), { amount: 1600 })).body).toMatchObject({ status: 400, code: 'amount_too_large', available: 1500 });
    expect((await refund(authId)).body).toMatchObject({ object: 'refund', amount: 1500 });
    expect((await records(reference)).counts).toMatchObject({ authorisations: 1, captures: 1, voids: 0, refunds: 2, declines: 0 });
    const lookup = await call(`/v1/authorisations?reference=${reference}`);
    expect(lookup.body['data']).toEqual([
      expect.objectContaining({ id: authId, status: 'refunded', capturedAmount: 2500, refundedAmount: 2500, captures: [expect.objectContaining({ id: captured.body['id'] })], voids: [], refunds: expect.any(Array) }),
    ]);
  });

  it.each([
    ['tok_decline', 'card_declined', 'generic_decline'],
    ['tok_insufficient_funds', 'insufficient_funds', 'insufficient_funds'],
  ])('%s: declined with 402 %s, and the decline is recorded', async (card, code, declineCode) => {
    const reference = newReference();
    const response = await authorise(reference, card);
    expect(response.status).toBe(402);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status: 402, code, declineCode, detail: expect.any(String) });
    expect((await records(reference)).counts).toMatchObject({ authorisations: 0, declines: 1 });
    expect((await capture(response.body['authorisationId'] as string)).body).toMatchObject({ status: 409, code: 'invalid_state' });
  });

  it('tok_capture_fails: authorised, the capture fails with 402 and the authorisation can still be voided', async () => {
    const reference = newReference();
    const authId = (await authorise(reference, 'tok_capture_fails')).body['id'] as string;
    expect((await capture(authId)).body).toMatchObject({ status: 402, code: 'capture_failed' });
    expect((await voidIt(authId)).body).toMatchObject({ id: expect.stringMatching(/^void_/), object: 'void', status: 'succeeded', authorisationId: authId, reference });
    expect((await capture(authId)).body).toMatchObject({ status: 409, code: 'invalid_state' });
    expect((await records(reference)).counts).toMatchObject({ authorisations: 1, captures: 0, failedCaptures: 1, voids: 1 });
  });

  it('tok_void_fails: the void fails with 402', async () => {
    const authId = (await authorise(newReference(), 'tok_void_fails')).body['id'] as string;
    expect((await voidIt(authId)).body).toMatchObject({ status: 402, code: 'void_failed' });
  });

  it('tok_refund_fails: captured, the refund fails with 402', async () => {
    const authId = (await authorise(newReference(), 'tok_refund_fails')).body['id'] as string;
    expect((await capture(authId)).status).toBe(200);
    expect((await refund(authId)).body).toMatchObject({ status: 402, code: 'refund_failed' });
  });

  it('a refund before capture is 409, an unknown authorisation 404', async () => {
    const authId = (await authorise(newReference())).body['id'] as string;
    expect((await refund(authId)).body).toMatchObject({ status: 409, code: 'invalid_state' });
    expect((await capture(`auth_${randomUUID()}`)).status).toBe(404);
  });
});

describe('idempotency', () => {
  it('the same key and body get the same stored response, once executed: one authorisation', async () => {
    const reference = newReference();
    const key = newKey();
    const first = await authorise(reference, 'tok_visa_approve', key);
    const second = await authorise(reference, 'tok_visa_approve', key);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect((await records(reference)).counts['authorisations']).toBe(1);
    expect((await call(`/v1/operations/${key}`)).body).toMatchObject({ idempotencyKey: key, operation: 'authorise', status: 201, body: first.body });
  });

  it('a decline is replayed too, not retried', async () => {
    const reference = newReference();
    const key = newKey();
    const first = await authorise(reference, 'tok_decline', key);
    const second = await authorise(reference, 'tok_decline', key);
    expect([first.status, second.status]).toEqual([402, 402]);
    expect(second.body).toEqual(first.body);
    expect((await records(reference)).counts['declines']).toBe(1);
  });

  it('the same key with another body or another operation is 422 and executes nothing', async () => {
    const reference = newReference();
    const key = newKey();
    const authId = (await authorise(reference, 'tok_visa_approve', key, 2500)).body['id'] as string;
    expect((await authorise(reference, 'tok_visa_approve', key, 2600)).body).toMatchObject({ status: 422, code: 'idempotency_key_reuse' });
    expect((await capture(authId, key)).body).toMatchObject({ status: 422, code: 'idempotency_key_reuse' });
    expect((await records(reference)).counts).toMatchObject({ authorisations: 1, captures: 0 });
  });

  it('the same key while the first request is still executing is 409 with Retry-After; the first completes once', async () => {
    const reference = newReference();
    const key = newKey();
    const slow = authorise(reference, 'tok_slow', key);
    await sleep(300);
    const concurrent = await authorise(reference, 'tok_slow', key);
    expect(concurrent.status).toBe(409);
    expect(concurrent.body).toMatchObject({ code: 'request_in_progress' });
    expect(concurrent.headers.get('retry-after')).toBe('1');
    const first = await slow;
    expect(first.status).toBe(201);
    expect((await authorise(reference, 'tok_slow', key)).body).toEqual(first.body);
    expect((await records(reference)).counts['authorisations']).toBe(1);
  });

  it('an operation never executed is 404 by key', async () => {
    expect((await call(`/v1/operations/${newKey()}`)).status).toBe(404);
  });
});

describe('injected faults', () => {
  it('drop-response executes and commits, then the client sees the socket close; the retry replays the result', async () => {
    const reference = newReference();
    const key = newKey();
    await addFault({ operation: 'authorise', kind: 'drop-response', count: 1 });
    const lost = fetch(`${url}/v1/authorisations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'idempotency-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ amount: 4200, currency: 'EUR', paymentMethod: 'tok_visa_approve', reference }),
    });
    const error = await lost.then(
      () => undefined,
      (e: unknown) => e as { cause?: { code?: string } },
    );
    expect(error?.cause?.code).toBe('UND_ERR_SOCKET');
    expect((await records(reference)).counts['authorisations']).toBe(1);
    const byKey = await call(`/v1/operations/${key}`);
    expect(byKey.body).toMatchObject({ operation: 'authorise', status: 201, body: { reference, amount: 4200, status: 'authorised' } });
    const retry = await authorise(reference, 'tok_visa_approve', key, 4200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body).toEqual((byKey.body as { body: unknown }).body);
    expect((await records(reference)).counts['authorisations']).toBe(1);
    expect((await call('/admin/faults')).body['data']).toEqual([expect.objectContaining({ kind: 'drop-response', remaining: 0, applied: 1 })]);
  });

  it('error500 answers 500 without executing; the retry with the same key executes', async () => {
    const reference = newReference();
    const authId = (await authorise(reference)).body['id'] as string;
    await addFault({ operation: 'capture', kind: 'error500', count: 1 });
    const key = newKey();
    expect((await capture(authId, key)).status).toBe(500);
    expect((await records(reference)).counts['captures']).toBe(0);
    expect((await call(`/v1/operations/${key}`)).status).toBe(404);
    expect((await capture(authId, key)).status).toBe(200);
    expect((await records(reference)).counts['captures']).toBe(1);
  });

  it('error429 answers 429 with Retry-After; timeout never answers; neither executes', async () => {
    const reference = newReference();
    await addFault({ operation: 'any', kind: 'error429', count: 1 });
    const limited = await authorise(reference);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    await addFault({ operation: 'authorise', kind: 'timeout', count: 1 });
    const key = newKey();
    const timedOut = await fetch(`${url}/v1/authorisations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'idempotency-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ amount: 100, currency: 'EUR', paymentMethod: 'tok_visa_approve', reference }),
      signal: AbortSignal.timeout(700),
    }).then(
      () => 'answered',
      (e: unknown) => (e as Error).name,
    );
    expect(timedOut).toBe('TimeoutError');
    expect((await records(reference)).counts['authorisations']).toBe(0);
    expect((await call(`/v1/operations/${key}`)).status).toBe(404);
  });

  it('latency delays the call, which then executes', async () => {
    await addFault({ operation: 'authorise', kind: 'latency', latencyMs: 600, count: 1 });
    const started = Date.now();
    expect((await authorise(newReference())).status).toBe(201);
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
  });
});

describe('webhooks', () => {
  /** Verifies like a receiver would, independently of the simulator's code: any v1 matching the secret. */
  const verifies = (header: string, rawBody: string, secret: string): boolean => {
    const parts = header.split(',').map((p) => p.split('=') as [string, string]);
    const t = parts.find(([k]) => k === 't')?.[1] ?? '';
    const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
    return parts.filter(([k]) => k === 'v1').some(([, v]) => v.length === 64 && timingSafeEqual(Buffer.from(v, 'hex'), expected));
  };

  it('sends each executed operation, signed with every secret, numbered per reference', async () => {
    const reference = newReference();
    const key = newKey();
    const authId = (await authorise(reference, 'tok_visa_approve', key)).body['id'] as string;
    await capture(authId);
    const [first, second] = await webhooksAbout(reference, 2);
    const signature = String(first?.headers['processor-signature']);
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    expect(Math.abs(Number(/^t=(\d+)/.exec(signature)?.[1]) - Date.now() / 1000)).toBeLessThan(300);
    for (const secret of SECRETS) expect(verifies(signature, first?.rawBody ?? '', secret)).toBe(true);
    expect(verifies(signature, first?.rawBody ?? '', 'whsec_someone_else')).toBe(false);
    expect(verifies(signature, (first?.rawBody ?? '').replace('2500', '2501'), SECRETS[0]!)).toBe(false);
    expect(first?.event).toEqual({
      id: expect.stringMatching(/^evt_/),
      type: 'authorisation.succeeded',
      created: expect.any(Number),
      sequence: 1,
      data: { operationId: key, reference, authorisationId: authId, objectId: authId, amount: 2500, currency: 'EUR' },
    });
    expect(second?.event).toMatchObject({ type: 'capture.succeeded', sequence: 2, data: { objectId: expect.stringMatching(/^cap_/) } });
  });

  it('a decline sends authorisation.declined with its decline code', async () => {
    const reference = newReference();
    await authorise(reference, 'tok_insufficient_funds');
    const [declined] = await webhooksAbout(reference, 1);
    expect(declined?.event).toMatchObject({ type: 'authorisation.declined', data: { declineCode: 'insufficient_funds' } });
  });

  it('retries a webhook answered with 500 until it is acknowledged', async () => {
    const reference = newReference();
    receiver.failNext(reference, 2);
    await authorise(reference);
    const attempts = await webhooksAbout(reference, 3);
    expect(attempts.map((a) => a.answeredWith)).toEqual([500, 500, 200]);
    expect(new Set(attempts.map((a) => a.event.id)).size).toBe(1);
    expect(attempts.map((a) => a.rawBody)).toEqual([attempts[0]?.rawBody, attempts[0]?.rawBody, attempts[0]?.rawBody]);
    const deliveries = await waitFor('the delivery to be settled', async () => {
      const data = (await call(`/admin/webhooks?reference=${reference}`)).body['data'] as Body[];
      return data[0]?.['status'] === 'delivered' ? data : undefined;
    });
    expect(deliveries).toEqual([expect.objectContaining({ status: 'delivered', attempts: 3, lastStatus: 200 })]);
  });

  it('duplicate mode delivers each event twice', async () => {
    await setWebhookMode({ duplicate: true, outOfOrder: false });
    const reference = newReference();
    await authorise(reference);
    const received = await webhooksAbout(reference, 2);
    await sleep(300);
    expect(receiver.about(reference)).toHaveLength(2);
    expect(received[0]?.event.id).toBe(received[1]?.event.id);
  });

  it('out-of-order mode holds a reference’s events and delivers them newest first', async () => {
    await setWebhookMode({ duplicate: false, outOfOrder: true, holdMs: 500 });
    const reference = newReference();
    const authId = (await authorise(reference)).body['id'] as string;
    await capture(authId);
    await refund(authId);
    const received = await webhooksAbout(reference, 3);
    expect(received.map((r) => [r.event.sequence, r.event.type])).toEqual([
      [3, 'refund.succeeded'],
      [2, 'capture.succeeded'],
      [1, 'authorisation.succeeded'],
    ]);
  });
});

describe('settlement report', () => {
  it('lists the day’s captures and refunds with the fee, and applies injected discrepancies', async () => {
    const reference = newReference();
    const authId = (await authorise(reference, 'tok_visa_approve', newKey(), 2699)).body['id'] as string;
    const captureId = (await capture(authId)).body['id'] as string;
    const refundId = (await refund(authId, newKey(), { amount: 699 })).body['id'] as string;
    const today = new Date().toISOString().slice(0, 10);
    const linesOf = async () => ((await call(`/v1/settlements/${today}`)).body['lines'] as Body[]).filter((l) => l['reference'] === reference);
    expect(await linesOf()).toEqual([
      { processorReference: captureId, reference, authorisationId: authId, gross: 2699, fee: 63, net: 2636, currency: 'EUR', type: 'capture' },
      { processorReference: refundId, reference, authorisationId: authId, gross: -699, fee: 0, net: -699, currency: 'EUR', type: 'refund' },
    ]);
    const inject = (body: Body) => call(`/admin/settlements/${today}/discrepancies`, { method: 'POST', body });
    expect((await inject({ kind: 'amount', processorReference: captureId, amount: 2000 })).status).toBe(201);
    expect((await inject({ kind: 'duplicate', processorReference: refundId })).status).toBe(201);
    expect((await inject({ kind: 'unknown', amount: 500, currency: 'GBP', reference })).status).toBe(201);
    expect((await inject({ kind: 'drop', processorReference: 'cap_nonexistent' })).status).toBe(422);
    const lines = await linesOf();
    expect(lines.map((l) => [l['type'], l['gross'], l['currency']])).toEqual([
      ['capture', 2000, 'EUR'],
      ['refund', -699, 'EUR'],
      ['refund', -699, 'EUR'],
      ['capture', 500, 'GBP'],
    ]);
    expect((await call('/v1/settlements/2026-02-30')).status).toBe(400);
  });
});

describe('without PROCESSOR_ADMIN_ENABLED', () => {
  it('has no /admin routes (404), and serves the API as usual', async () => {
    const other = await startServiceProcess(info, 'processor-sim', { PORT: String(await freePort()), PROCESSOR_WEBHOOK_URL: receiver.url, PROCESSOR_ADMIN_ENABLED: 'false' });
    try {
      expect((await requestJson(`${other.url}/admin/faults`)).status).toBe(404);
      expect((await requestJson(`${other.url}/admin/faults`, { method: 'POST', body: { operation: 'any', kind: 'error500' } })).status).toBe(404);
      const ok = await requestJson(`${other.url}/v1/authorisations?reference=${newReference()}`, { headers: { authorization: `Bearer ${API_KEY}` } });
      expect(ok).toMatchObject({ status: 200, body: { data: [] } });
    } finally {
      await other.stop();
    }
  });
});
