import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { EventContract, OrderCancelledV1, OrderCompletedV1, OrderConfirmedV1, OrderPlacedV1, PayloadOf, PaymentRefundedV1 } from '@paystate/contracts';
import { failpointsEnv } from '@paystate/failpoints';
import { appendToOutbox } from '@paystate/messaging';
import { ServiceProcess, SmtpSink, startServiceProcess, startSmtpSink } from '@paystate/stack';
import { KafkaTap, apiHeaders, createApiKey, freePort, requestJson, sleep, testStack, waitFor } from '@paystate/testing';

/**
 * notification-service on the real stack: facts go through a real outbox (order-service's
 * database as the stand-in publisher) and Debezium; emails land in an SMTP sink this test runs on
 * its own ports (so it can take it down), read through its Mailpit-compatible API. Every test uses
 * fresh order ids and recipient addresses and asserts only on them.
 */
const info = testStack();
const outbox = new DataSource({ type: 'postgres', url: info.services['order-service']!.databaseUrl, extra: { max: 2 } });
const storeFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'paystate-smtp-sink-')), 'messages.jsonl');
const fast = { NOTIFICATION_SWEEP_INTERVAL_MS: '300', NOTIFICATION_MAX_BACKOFF_MS: '1000', SMTP_TIMEOUT_MS: '2000', NOTIFICATION_LEASE_MS: '5000' };
let smtpPort: number;
let apiPort: number;
let sink: SmtpSink | undefined;
let service: ServiceProcess;
let tap: KafkaTap;
let key: string;

interface NotificationView { id: string; kind: string; recipient: string | null; subject: string; status: string; attempts: number; messageId: string; sourceEventId: string; sentAt: string | null; lastError: string | null }
interface MailSummary { ID: string; MessageID: string; To: { Address: string }[]; Subject: string; Snippet: string }

const startSink = async (): Promise<void> => {
  sink = await startSmtpSink({ smtpPort, httpPort: apiPort, storeFile, rejectRecipients: /^reject-/ });
};
const stopSink = async (): Promise<void> => {
  await sink?.close();
  sink = undefined;
};
const startNotificationService = (): Promise<ServiceProcess> => startServiceProcess(info, 'notification-service', { ...fast, SMTP_PORT: String(smtpPort) }, { timeoutMs: 120_000 });

async function publish<C extends EventContract>(contract: C, orderId: string, payload: PayloadOf<C>, id: string = randomUUID()): Promise<string> {
  await outbox.transaction((manager) =>
    appendToOutbox(manager, [{ contract, payload, aggregateId: orderId, id, cause: { correlationId: orderId, causationId: randomUUID() }, occurredAt: new Date() }]),
  );
  return id;
}

const newCustomer = (prefix = 'itest'): { orderId: string; email: string } => {
  const orderId = randomUUID();
  return { orderId, email: `${prefix}-${orderId.slice(0, 8)}@example.com` };
};
const placed = (orderId: string, email: string) => ({ ...OrderPlacedV1.example, orderId, customerEmail: email });
const confirmed = (orderId: string, email: string) => ({ ...OrderConfirmedV1.example, orderId, customerEmail: email, confirmedAt: new Date().toISOString() });
const completed = (orderId: string, email: string) => ({ ...OrderCompletedV1.example, orderId, customerEmail: email, completedAt: new Date().toISOString() });
const cancelled = (orderId: string, email: string) => ({ ...OrderCancelledV1.example, orderId, customerEmail: email, reason: 'SHIPMENT_FAILED' as const, refunded: true, cancelledAt: new Date().toISOString() });
const refunded = (orderId: string) => ({ ...PaymentRefundedV1.example, orderId, paymentId: randomUUID(), refundedAt: new Date().toISOString() });

const notificationsOf = async (orderId: string): Promise<NotificationView[]> => {
  const res = await requestJson<NotificationView[]>(`${service.url}/notifications?orderId=${orderId}`, { headers: apiHeaders(key) });
  if (res.status !== 200) throw new Error(`GET /notifications: ${res.status}`);
  return res.body;
};

const mailsTo = async (email: string): Promise<MailSummary[]> => {
  const res = await requestJson<{ messages: MailSummary[] }>(`http://127.0.0.1:${apiPort}/api/v1/search?query=${encodeURIComponent(`to:${email}`)}&limit=1000`);
  return res.body.messages;
};

const waitForMails = (email: string, count: number, timeoutMs = 60_000): Promise<MailSummary[]> =>
  waitFor(`${count} email(s) to ${email}`, async () => {
    const mails = await mailsTo(email);
    return mails.length >= count ? mails : undefined;
  }, { timeoutMs });

const waitForNotifications = (orderId: string, description: string, done: (ns: NotificationView[]) => boolean, timeoutMs = 60_000): Promise<NotificationView[]> =>
  waitFor(`notifications of ${orderId}: ${description}`, async () => {
    const ns = await notificationsOf(orderId);
    return done(ns) ? ns : undefined;
  }, { timeoutMs });

const isSentFor = (notificationId: string) => (r: { headers: Record<string, string>; value: string | null }): boolean => r.headers['eventType'] === 'NotificationSent' && (r.value ?? '').includes(notificationId);
const sentEventsFor = (notificationId: string) => tap.matching(isSentFor(notificationId));

beforeAll(async () => {
  await outbox.initialize();
  smtpPort = await freePort();
  apiPort = await freePort();
  await startSink();
  tap = await KafkaTap.open(info.kafka.brokers, ['notification.events']);
  service = await startNotificationService();
  key = await createApiKey('notification-service', { clientId: 'itest', scopes: ['notifications:read'] });
});

afterAll(async () => {
  await service?.stop();
  await tap?.close();
  await stopSink();
  await outbox.destroy();
});

describe('notification-service', () => {
  it('sends one email per customer-facing fact, to the right recipient, and emits NotificationSent for each', async () => {
    const shipped = newCustomer('shipped');
    const refundedOrder = newCustomer('refunded');
    await publish(OrderPlacedV1, shipped.orderId, placed(shipped.orderId, shipped.email));
    const confirmedId = await publish(OrderConfirmedV1, shipped.orderId, confirmed(shipped.orderId, shipped.email));
    await publish(OrderCompletedV1, shipped.orderId, completed(shipped.orderId, shipped.email));
    await publish(OrderPlacedV1, refundedOrder.orderId, placed(refundedOrder.orderId, refundedOrder.email));
    await publish(OrderCancelledV1, refundedOrder.orderId, cancelled(refundedOrder.orderId, refundedOrder.email));
    await publish(PaymentRefundedV1, refundedOrder.orderId, refunded(refundedOrder.orderId));

    const shippedMails = await waitForMails(shipped.email, 2);
    const refundMails = await waitForMails(refundedOrder.email, 2);
    const ref = (id: string) => id.slice(0, 8).toUpperCase();
    expect(shippedMails.map((m) => m.Subject).sort()).toEqual([`Your order ${ref(shipped.orderId)} is confirmed`, `Your order ${ref(shipped.orderId)} is on its way`].sort());
    expect(refundMails.map((m) => m.Subject).sort()).toEqual([`We have refunded EUR 25.00 for order ${ref(refundedOrder.orderId)}`, `Your order ${ref(refundedOrder.orderId)} has been cancelled`].sort());
    for (const m of [...shippedMails, ...refundMails]) expect(m.To).toHaveLength(1);

    const shippedNotes = await waitForNotifications(shipped.orderId, 'both SENT', (ns) => ns.length === 2 && ns.every((n) => n.status === 'SENT'));
    const confirmation = shippedNotes.find((n) => n.kind === 'ORDER_CONFIRMED')!;
    expect(confirmation).toMatchObject({ recipient: shipped.email, sourceEventId: confirmedId, attempts: 1, lastError: null, messageId: `<${confirmation.id}@notifications.paystate.local>` });
    expect(shippedMails.map((m) => m.MessageID)).toContain(`${confirmation.id}@notifications.paystate.local`);

    const dispatchedMail = shippedMails.find((m) => m.Subject.includes('on its way'))!;
    const detail = await requestJson<{ Text: string; HTML: string }>(`http://127.0.0.1:${apiPort}/api/v1/message/${dispatchedMail.ID}`);
    expect(detail.body.Text).toContain(`Tracking number: ${OrderCompletedV1.example.trackingNumber}`);
    expect(detail.body.HTML).toContain(OrderCompletedV1.example.carrier);

    const refundNotes = await waitForNotifications(refundedOrder.orderId, 'both SENT', (ns) => ns.length === 2 && ns.every((n) => n.status === 'SENT'));
    for (const [orderId, notes] of [[shipped.orderId, shippedNotes], [refundedOrder.orderId, refundNotes]] as const) {
      for (const n of notes) {
        const [record] = await tap.waitForRecords(`NotificationSent for ${n.id}`, isSentFor(n.id));
        expect(record!.key).toBe(orderId);
      }
    }
  });

  it('the same event delivered twice (same id) and the same fact under a second id → one email', async () => {
    const { orderId, email } = newCustomer('dup');
    await publish(OrderPlacedV1, orderId, placed(orderId, email));
    const eventId = randomUUID();
    await publish(OrderConfirmedV1, orderId, confirmed(orderId, email), eventId);
    await publish(OrderConfirmedV1, orderId, confirmed(orderId, email), eventId);
    await publish(OrderConfirmedV1, orderId, confirmed(orderId, email)); // re-emitted under another id
    // same key → same partition: once the marker is handled, the duplicates before it were too
    await publish(OrderCompletedV1, orderId, completed(orderId, email));
    await waitForNotifications(orderId, 'the dispatch email SENT', (ns) => ns.some((n) => n.kind === 'ORDER_DISPATCHED' && n.status === 'SENT'));
    await sleep(1_000);

    const notes = await notificationsOf(orderId);
    expect(notes.map((n) => n.kind).sort()).toEqual(['ORDER_CONFIRMED', 'ORDER_DISPATCHED']);
    const mails = await mailsTo(email);
    expect(mails.filter((m) => m.Subject.includes('is confirmed'))).toHaveLength(1);
    expect(sentEventsFor(notes.find((n) => n.kind === 'ORDER_CONFIRMED')!.id)).toHaveLength(1);
  });

  it('parks a PaymentRefunded that arrives before its OrderPlaced, and sends it once OrderPlaced arrives', async () => {
    const { orderId, email } = newCustomer('parked');
    await publish(PaymentRefundedV1, orderId, refunded(orderId));
    const [parked] = await waitForNotifications(orderId, 'a parked refund', (ns) => ns.length === 1);
    expect(parked).toMatchObject({ kind: 'PAYMENT_REFUNDED', status: 'WAITING_FOR_RECIPIENT', recipient: null, attempts: 0 });
    await sleep(1_500); // sweeps run meanwhile: nothing goes out without a recipient
    expect((await notificationsOf(orderId))[0]!.status).toBe('WAITING_FOR_RECIPIENT');

    await publish(OrderPlacedV1, orderId, placed(orderId, email));
    const [sent] = await waitForNotifications(orderId, 'the refund SENT', (ns) => ns[0]?.status === 'SENT');
    expect(sent).toMatchObject({ id: parked!.id, recipient: email, attempts: 1 });
    const mails = await waitForMails(email, 1);
    await sleep(500);
    expect(await mailsTo(email)).toHaveLength(1);
    expect(mails[0]!.Subject).toContain('We have refunded EUR 25.00');
  });

  it('a mail server refusing for good (550) → FAILED with the error, no retry', async () => {
    const { orderId, email } = newCustomer('reject-550');
    await publish(OrderConfirmedV1, orderId, confirmed(orderId, email));
    const [failed] = await waitForNotifications(orderId, 'FAILED', (ns) => ns[0]?.status === 'FAILED');
    expect(failed).toMatchObject({ attempts: 1, sentAt: null });
    expect(failed!.lastError).toMatch(/550/);
    await sleep(1_000);
    expect((await notificationsOf(orderId))[0]!.attempts).toBe(1);
    expect(await mailsTo(email)).toHaveLength(0);
  });

  it('SMTP sink down: the notification is retried (attempts counted) and sent once the sink is back', async () => {
    const earlier = (await requestJson<{ total: number }>(`http://127.0.0.1:${apiPort}/api/v1/messages`)).body.total;
    await stopSink();
    const { orderId, email } = newCustomer('sinkdown');
    await publish(OrderConfirmedV1, orderId, confirmed(orderId, email));
    const [retrying] = await waitForNotifications(orderId, 'retried at least twice', (ns) => (ns[0]?.attempts ?? 0) >= 2);
    expect(retrying).toMatchObject({ status: 'PENDING', sentAt: null });
    expect(retrying!.lastError).toMatch(/ECONNREFUSED|connect/i);

    await startSink();
    // the sink kept what it had received before the restart (its JSONL store)
    expect((await requestJson<{ total: number }>(`http://127.0.0.1:${apiPort}/api/v1/messages`)).body.total).toBeGreaterThanOrEqual(earlier);
    const [sent] = await waitForNotifications(orderId, 'SENT', (ns) => ns[0]?.status === 'SENT');
    expect(sent!.attempts).toBeGreaterThanOrEqual(3);
    await waitForMails(email, 1);
    await sleep(1_000);
    expect(await mailsTo(email)).toHaveLength(1);
    await tap.waitForRecords('its NotificationSent', isSentFor(sent!.id));
    expect(sentEventsFor(sent!.id)).toHaveLength(1);
  });

  it('kills notification-service (SIGKILL) with pending notifications: after the restart each is sent once', async () => {
    await stopSink();
    const customers = [newCustomer('crash'), newCustomer('crash'), newCustomer('crash')];
    for (const c of customers) await publish(OrderConfirmedV1, c.orderId, confirmed(c.orderId, c.email));
    for (const c of customers) await waitForNotifications(c.orderId, 'PENDING after a failed attempt', (ns) => ns[0]?.status === 'PENDING' && ns[0].attempts >= 1);

    await service.kill();
    await startSink();
    service = await startNotificationService();

    for (const c of customers) {
      const [sent] = await waitForNotifications(c.orderId, 'SENT after the restart', (ns) => ns[0]?.status === 'SENT');
      await waitForMails(c.email, 1);
      await tap.waitForRecords(`NotificationSent for ${sent!.id}`, isSentFor(sent!.id));
    }
    await sleep(1_500);
    for (const c of customers) {
      const notes = await notificationsOf(c.orderId);
      expect(notes).toHaveLength(1);
      expect(await mailsTo(c.email)).toHaveLength(1);
      expect(sentEventsFor(notes[0]!.id)).toHaveLength(1);
    }
  });

  it('kills notification-service right after the mail server accepted, before its commit: the one at-least-once edge, resent with the same Message-ID, recorded once', async () => {
    await service.stop();
    service = await startServiceProcess(
      info,
      'notification-service',
      { ...fast, SMTP_PORT: String(smtpPort), PAYSTATE_FAILPOINTS: failpointsEnv({ 'notification.after-smtp-accept': 'kill' }) },
      { timeoutMs: 120_000 },
    );
    const c = newCustomer('accepted');
    await publish(OrderConfirmedV1, c.orderId, confirmed(c.orderId, c.email));
    expect((await service.waitForExit()).signal).toBe('SIGKILL');
    const [first] = await waitForMails(c.email, 1);

    service = await startNotificationService();
    // the lease of the dead attempt runs out, and the notification is sent again, as it was
    const [sent] = await waitForNotifications(c.orderId, 'SENT after the restart', (ns) => ns[0]?.status === 'SENT');
    const mails = await waitForMails(c.email, 2);
    expect(mails.map((m) => m.MessageID)).toEqual([first!.MessageID, first!.MessageID]);
    expect(sent!.messageId.replace(/^<|>$/g, '')).toBe(first!.MessageID.replace(/^<|>$/g, ''));
    await tap.waitForRecords(`NotificationSent for ${sent!.id}`, isSentFor(sent!.id));
    await sleep(1_500);
    expect(await notificationsOf(c.orderId)).toHaveLength(1);
    expect(sentEventsFor(sent!.id)).toHaveLength(1);
  });

  it('GET /notifications needs the notifications:read scope and a UUID orderId', async () => {
    expect((await requestJson(`${service.url}/notifications?orderId=${randomUUID()}`)).status).toBe(401);
    const bad = await requestJson<{ errors: { field: string }[] }>(`${service.url}/notifications?orderId=nope`, { headers: apiHeaders(key) });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]!.field).toBe('orderId');
    expect((await requestJson<unknown[]>(`${service.url}/notifications?orderId=${randomUUID()}`, { headers: apiHeaders(key) })).body).toEqual([]);
  });
});
