import { randomUUID } from 'node:crypto';
import { ServiceProcess, StackInfo, startServiceProcess } from '@paystate/stack';
import { apiHeaders, createApiKey, moveGroupsToEnd, requestJson, testNemesis, testStack, waitFor, waitForCaughtUp } from '@paystate/testing';

/**
 * The whole saga on the real test stack: the five services and the processor simulator as real
 * processes, observed only through their HTTP APIs, Kafka and the SMTP sink. Shared by the saga's
 * e2e suites; each suite starts its own processes and stops them.
 */

/** Every consumer group of the saga and the topics it reads (SPEC §2). */
export const CONSUMERS: Record<string, string[]> = {
  'order-service': ['payment.events', 'fulfilment.events', 'ledger.events', 'notification.events'],
  'payment-service': ['order.events', 'fulfilment.events'],
  'ledger-service': ['payment.events', 'fulfilment.events'],
  'fulfilment-service': ['order.events', 'payment.events'],
  'notification-service': ['order.events', 'payment.events'],
};
export const SAGA_SERVICES = ['processor-sim', 'payment-service', 'order-service', 'ledger-service', 'fulfilment-service', 'notification-service'] as const;
export type SagaService = (typeof SAGA_SERVICES)[number];

/** The harness's default health deadline per service (see Saga#startTimeoutMs). */
export const SAGA_START_TIMEOUT_MS = 300_000;

/** payment-service resolves unknown outcomes quickly in tests (the defaults are minutes). */
export const FAST_PAYMENTS = { PROCESSOR_TIMEOUT_MS: '1500', PAYMENT_OPERATION_LEASE_MS: '3000', PAYMENT_RESOLVER_INTERVAL_MS: '300' };

export interface OrderView {
  id: string;
  status: string;
  cancellationReason: string | null;
  cancellationDetail: string | null;
  refunded: boolean;
  paymentStatus: string | null;
  fulfilmentStatus: string | null;
  total: number;
  currency: string;
}
export interface OperationView { id: string; type: string; status: string; reason: string; origin: string; attempts: number; resultCode: string | null }
export interface PaymentView {
  id: string;
  orderId: string;
  status: string;
  amount: number;
  refundedAmount: number;
  review: { from: string; operationId: string | null } | null;
  operations: OperationView[];
}
export interface ProcessorCounts { authorisations: number; captures: number; voids: number; refunds: number; declines: number }
export interface Posting { account: string; side: 'DEBIT' | 'CREDIT'; amount: number }
export interface JournalView { id: string; kind: string; currency: string; amount: number; postings: Posting[]; sourceEventId: string }
export interface StockView { sku: string; onHand: number; reserved: number; available: number }
export interface NotificationView { id: string; kind: string; recipient: string; status: string; messageId: string | null }
export interface MailView { ID: string; MessageID: string; To: { Address: string }[]; Subject: string }
export interface TimelineEventView { eventId: string; service: string; type: string; causationId: string | null; occurredAt: string }

export class Saga {
  readonly info: StackInfo = testStack();
  readonly brokers = this.info.kafka.brokers;
  readonly processes = new Map<SagaService, ServiceProcess>();
  /** Faults on purpose: processor-sim's fault admin, webhook modes, carrier, SMTP, processes. */
  readonly nemesis = testNemesis();
  private keys: Record<string, string> = {};

  /**
   * How long each service may take to answer GET /health/ready once started: the one start-timeout knob
   * of the harness. The default, SAGA_START_TIMEOUT_MS (300 s), is sized for six Nest apps booting
   * at once on a loaded 2-core machine (the launcher's own 60 s is not); a process that exits while
   * booting fails at once, so a long deadline costs nothing when all is well.
   */
  readonly startTimeoutMs: number;

  constructor(options: { startTimeoutMs?: number } = {}) {
    this.startTimeoutMs = options.startTimeoutMs ?? SAGA_START_TIMEOUT_MS;
  }

  url(service: SagaService): string {
    return this.info.services[service]!.url;
  }

  get mailApiUrl(): string {
    const smtp = this.info.smtp;
    if (!smtp) throw new Error('the test stack runs no SMTP sink');
    return smtp.apiUrl;
  }

  /**
   * Starts every service. Consumer groups first skip what earlier suites left on the topics (facts
   * about orders those suites made up without order-service), so this suite acts only on its own.
   */
  async start(env: Partial<Record<SagaService, Record<string, string>>> = {}): Promise<void> {
    for (const [group, topics] of Object.entries(CONSUMERS)) await moveGroupsToEnd(this.brokers, [group], topics);
    const client = `saga-${randomUUID().slice(0, 8)}`;
    this.keys = {
      orders: await createApiKey('order-service', { clientId: client, scopes: ['orders:write', 'orders:read'] }),
      payments: await createApiKey('payment-service', { clientId: client, scopes: ['payments:read', 'payments:refund', 'payments:resolve'] }),
      ledger: await createApiKey('ledger-service', { clientId: client, scopes: ['ledger:read'] }),
      fulfilment: await createApiKey('fulfilment-service', { clientId: client, scopes: ['stock:read', 'stock:write', 'shipments:read'] }),
      notifications: await createApiKey('notification-service', { clientId: client, scopes: ['notifications:read'] }),
    };
    await this.startService('processor-sim', env['processor-sim']);
    const rest = SAGA_SERVICES.filter((s) => s !== 'processor-sim');
    await Promise.all(rest.map((s) => this.startService(s, env[s])));
  }

  async startService(service: SagaService, env: Record<string, string> = {}): Promise<ServiceProcess> {
    const p = await startServiceProcess(this.info, service, { ...(service === 'payment-service' ? FAST_PAYMENTS : {}), ...env }, { timeoutMs: this.startTimeoutMs });
    this.processes.set(service, p);
    return p;
  }

  async stopService(service: SagaService): Promise<void> {
    await this.processes.get(service)?.stop();
    this.processes.delete(service);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.processes.keys()].map((s) => this.stopService(s)));
  }

  /** Waits until every consumer group has committed everything on its topics. */
  async caughtUp(timeoutMs = 120_000): Promise<void> {
    for (const [group, topics] of Object.entries(CONSUMERS)) await waitForCaughtUp(this.brokers, group, topics, timeoutMs);
  }

  // ---- commands

  async setStock(sku: string, onHand: number): Promise<StockView> {
    const r = await requestJson<StockView>(`${this.url('fulfilment-service')}/stock/${encodeURIComponent(sku)}`, { method: 'PUT', body: { onHand }, headers: apiHeaders(this.keys.fulfilment!) });
    if (r.status !== 200) throw new Error(`PUT /stock/${sku} → ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  async placeOrder(order: { sku: string; quantity?: number; unitPrice?: number; paymentMethod?: string; email?: string }): Promise<{ id: string; email: string }> {
    const email = order.email ?? `c-${randomUUID().slice(0, 12)}@example.com`;
    const body = {
      customerId: `cus_${randomUUID().slice(0, 8)}`,
      customerEmail: email,
      currency: 'EUR',
      items: [{ sku: order.sku, quantity: order.quantity ?? 1, unitPrice: order.unitPrice ?? 2500 }],
      paymentMethod: order.paymentMethod ?? 'tok_visa_approve',
    };
    const r = await requestJson<{ id: string }>(`${this.url('order-service')}/orders`, { method: 'POST', body, headers: apiHeaders(this.keys.orders!, randomUUID()) });
    if (r.status !== 201) throw new Error(`POST /orders → ${r.status} ${JSON.stringify(r.body)}`);
    return { id: r.body.id, email };
  }

  /** A person resolves a payment under review (POST /payments/:id/resolutions). */
  async resolvePayment(paymentId: string, body: object, idempotencyKey: string = randomUUID()): Promise<{ status: number; body: Record<string, unknown> }> {
    const r = await requestJson<Record<string, unknown>>(`${this.url('payment-service')}/payments/${paymentId}/resolutions`, { method: 'POST', body, headers: apiHeaders(this.keys.payments!, idempotencyKey) });
    return { status: r.status, body: r.body };
  }

  // ---- observations

  async order(id: string): Promise<OrderView> {
    return (await requestJson<OrderView>(`${this.url('order-service')}/orders/${id}`, { headers: apiHeaders(this.keys.orders!) })).body;
  }

  async timeline(id: string): Promise<TimelineEventView[]> {
    return (await requestJson<{ events: TimelineEventView[] }>(`${this.url('order-service')}/orders/${id}/timeline`, { headers: apiHeaders(this.keys.orders!) })).body.events;
  }

  async payment(orderId: string): Promise<PaymentView | undefined> {
    return (await requestJson<PaymentView[]>(`${this.url('payment-service')}/payments?orderId=${orderId}`, { headers: apiHeaders(this.keys.payments!) })).body[0];
  }

  /** The processor's own ground truth for one payment. */
  async processorRecords(paymentId: string): Promise<ProcessorCounts> {
    return (await requestJson<{ counts: ProcessorCounts }>(`${this.url('processor-sim')}/admin/records?reference=${paymentId}`)).body.counts;
  }

  async journals(orderId: string): Promise<JournalView[]> {
    return (await this.ledgerOf(orderId)).journals;
  }

  /** The order's journals and the facts the ledger parked until the capture they imply arrived. */
  async ledgerOf(orderId: string): Promise<{ journals: JournalView[]; parked: { sourceEventId: string; status: string }[] }> {
    return (await requestJson<{ journals: JournalView[]; parked: { sourceEventId: string; status: string }[] }>(`${this.url('ledger-service')}/ledger/journals?orderId=${orderId}`, { headers: apiHeaders(this.keys.ledger!) })).body;
  }

  async trialBalance(): Promise<{ currencies: { currency: string; totalDebits: number; totalCredits: number; balanced: boolean }[] }> {
    return (await requestJson<{ currencies: { currency: string; totalDebits: number; totalCredits: number; balanced: boolean }[] }>(`${this.url('ledger-service')}/ledger/trial-balance`, { headers: apiHeaders(this.keys.ledger!) })).body;
  }

  async stock(sku: string): Promise<StockView> {
    return (await requestJson<StockView>(`${this.url('fulfilment-service')}/stock/${encodeURIComponent(sku)}`, { headers: apiHeaders(this.keys.fulfilment!) })).body;
  }

  async notifications(orderId: string): Promise<NotificationView[]> {
    return (await requestJson<NotificationView[]>(`${this.url('notification-service')}/notifications?orderId=${orderId}`, { headers: apiHeaders(this.keys.notifications!) })).body;
  }

  /** What the SMTP server received for one address (Mailpit's API, served by the native sink too). */
  async mailsTo(address: string): Promise<MailView[]> {
    const r = await requestJson<{ messages: MailView[] }>(`${this.mailApiUrl}/api/v1/messages?limit=10000`);
    return r.body.messages.filter((m) => m.To.some((t) => t.Address.toLowerCase() === address.toLowerCase()));
  }

  async metric(service: SagaService, name: string): Promise<number> {
    const text = (await requestJson<string>(`${this.url(service)}/metrics`)).body;
    return text
      .split('\n')
      .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
      .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
  }

  async waitOrder(id: string, description: string, done: (o: OrderView) => boolean, timeoutMs = 90_000): Promise<OrderView> {
    return waitFor(`order ${id} ${description}`, async () => {
      const o = await this.order(id);
      return done(o) ? o : undefined;
    }, { timeoutMs, intervalMs: 300 });
  }
}

export const uniqueSku = (label: string): string => `E2E-${label}-${randomUUID().slice(0, 8)}`.toUpperCase();
/** fulfilment-service's carrier refuses any SKU with this prefix (its test SKU). */
export const unshippableSku = (label: string): string => `UNSHIPPABLE-${label}-${randomUUID().slice(0, 8)}`.toUpperCase();
