// `npm run demo`: against the running stack (`npm start`), places one order down every path of
// SPEC §4 — the happy path and the compensations C1–C5 — waits until each has reached the end of
// its path and prints, per path: the order, its final order and payment status, the emails sent
// and the ledger's effect. Everything goes through the services' public HTTP APIs, with the dev
// stack's API keys; nothing is read from a database.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { CURRENCY_MINOR_UNITS } from '@paystate/contracts';
import { readStackInfo, StackInfo } from '@paystate/stack';

const program = new Command('demo')
  .description('Walk every path of the saga on the running stack and print the outcome per path')
  .option('-p, --profile <name>', 'the stack to run against', 'dev')
  .option('--timeout <seconds>', 'how long to wait for every path to end', '120')
  .option('--json', 'print the outcome as JSON instead of a table')
  .parse();
const opts = program.opts<{ profile: string; timeout: string; json?: boolean }>();

interface DemoPath {
  name: string;
  what: string;
  paymentMethod: string;
  /** Which of the demo's SKUs the order buys. */
  sku: 'stocked' | 'soldOut' | 'unshippable';
}

/** One order per path of SPEC §4, chosen by the processor's test cards and fulfilment's test SKUs. */
const PATHS: DemoPath[] = [
  { name: 'happy path', what: 'captured, shipped', paymentMethod: 'tok_visa_approve', sku: 'stocked' },
  { name: 'C1 declined', what: 'the processor declines', paymentMethod: 'tok_decline', sku: 'stocked' },
  { name: 'C1 no funds', what: 'insufficient funds', paymentMethod: 'tok_insufficient_funds', sku: 'stocked' },
  { name: 'C2 out of stock', what: 'nothing to reserve → void', paymentMethod: 'tok_visa_approve', sku: 'soldOut' },
  { name: 'C3 capture fails', what: 'capture refused → void, stock released', paymentMethod: 'tok_capture_fails', sku: 'stocked' },
  { name: 'C4 dispatch fails', what: 'carrier refuses → refund, reversal, stock released', paymentMethod: 'tok_visa_approve', sku: 'unshippable' },
  { name: 'C5 void fails', what: 'out of stock, and the void fails', paymentMethod: 'tok_void_fails', sku: 'soldOut' },
  { name: 'C5 refund fails', what: 'carrier refuses, and the refund fails', paymentMethod: 'tok_refund_fails', sku: 'unshippable' },
];

interface Outcome {
  path: string;
  orderId: string;
  order: string;
  payment: string;
  emails: string[];
  ledger: string;
  ended: boolean;
}

class DemoError extends Error {}

function stackOrExplain(profile: string): StackInfo {
  const info = readStackInfo(profile);
  if (!info) throw new DemoError(`no ${profile} stack is running: start it with \`npm start\` (or \`npm run stack:up -- --profile ${profile}\`)`);
  return info;
}

/** The operator keys the dev stack made for itself (`.local/dev/<service>-dev-api-key`). */
function apiKey(info: StackInfo, service: string): string {
  const file = path.join(info.runtimeDir, `${service}-dev-api-key`);
  if (!existsSync(file)) throw new DemoError(`${service} has no dev API key at ${file}: the dev stack creates one when it starts (\`npm start\`)`);
  return readFileSync(file, 'utf8').trim();
}

async function call<T>(url: string, key: string, init: { method?: string; body?: unknown; idempotencyKey?: string } = {}): Promise<T> {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${key}`,
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(init.idempotencyKey ? { 'idempotency-key': init.idempotencyKey } : {}),
    },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await response.text();
  if (!response.ok) throw new DemoError(`${init.method ?? 'GET'} ${url} → ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Minor units as the currency writes them (JPY has none, KWD three). */
const money = (minor: number, currency: string) => {
  const digits = CURRENCY_MINOR_UNITS[currency] ?? 2;
  return (minor / 10 ** digits).toFixed(digits);
};

async function main(): Promise<void> {
  const info = stackOrExplain(opts.profile);
  const url = (service: string): string => {
    const svc = info.services[service];
    if (!svc) throw new DemoError(`${service} is not part of this stack`);
    return svc.url;
  };
  const keys = Object.fromEntries(['order-service', 'payment-service', 'ledger-service', 'fulfilment-service', 'notification-service'].map((s) => [s, apiKey(info, s)]));
  for (const service of Object.keys(keys)) {
    const ready = await fetch(`${url(service)}/health/ready`).catch(() => undefined);
    if (!ready?.ok) throw new DemoError(`${service} is not ready at ${url(service)} (GET /health/ready says why): is the whole stack up (\`npm run stack:status\`)?`);
  }

  const run = randomUUID().slice(0, 6).toUpperCase();
  const skus = { stocked: `DEMO-${run}-BOOK`, soldOut: `DEMO-${run}-SOLD-OUT`, unshippable: `UNSHIPPABLE-DEMO-${run}` };
  await call(`${url('fulfilment-service')}/stock/${skus.stocked}`, keys['fulfilment-service']!, { method: 'PUT', body: { onHand: 10 } });
  await call(`${url('fulfilment-service')}/stock/${skus.soldOut}`, keys['fulfilment-service']!, { method: 'PUT', body: { onHand: 0 } });
  await call(`${url('fulfilment-service')}/stock/${skus.unshippable}`, keys['fulfilment-service']!, { method: 'PUT', body: { onHand: 10 } });

  const placed = await Promise.all(
    PATHS.map(async (p, i) => {
      const order = await call<{ id: string }>(`${url('order-service')}/orders`, keys['order-service']!, {
        method: 'POST',
        idempotencyKey: randomUUID(),
        body: {
          customerId: `demo_${run}`,
          customerEmail: `demo-${run.toLowerCase()}-${i + 1}@example.com`,
          currency: 'EUR',
          items: [{ sku: skus[p.sku], quantity: 1, unitPrice: 2500 }],
          paymentMethod: p.paymentMethod,
        },
      });
      return { path: p, orderId: order.id };
    }),
  );
  if (!opts.json) console.log(`placed ${placed.length} orders (run ${run}); waiting for each to reach the end of its path…`);

  const deadline = Date.now() + Number(opts.timeout) * 1000;
  const outcomes = await Promise.all(placed.map(({ path: p, orderId }) => follow(p, orderId)));

  async function follow(p: DemoPath, orderId: string): Promise<Outcome> {
    for (;;) {
      const order = await call<{ status: string; cancellationReason: string | null; paymentStatus: string | null }>(`${url('order-service')}/orders/${orderId}`, keys['order-service']!);
      const ended = order.status === 'COMPLETED' || order.status === 'CANCELLED' || order.paymentStatus === 'REQUIRES_REVIEW';
      if (ended || Date.now() > deadline) {
        // the emails and journals follow the order's last fact by a moment
        if (ended) await sleep(1500);
        const payments = await call<{ status: string }[]>(`${url('payment-service')}/payments?orderId=${orderId}`, keys['payment-service']!);
        const notifications = await call<{ kind: string; status: string }[]>(`${url('notification-service')}/notifications?orderId=${orderId}`, keys['notification-service']!);
        const { journals } = await call<{ journals: { kind: string; amount: number; currency: string }[] }>(`${url('ledger-service')}/ledger/journals?orderId=${orderId}`, keys['ledger-service']!);
        const outcome: Outcome = {
          path: p.name,
          orderId,
          order: order.cancellationReason ? `${order.status} (${order.cancellationReason})` : order.status,
          payment: payments[0]?.status ?? '—',
          emails: notifications.map((n) => (n.status === 'SENT' ? n.kind : `${n.kind} (${n.status})`)),
          ledger: journals.length ? journals.map((j) => `${j.kind} ${money(j.amount, j.currency)} ${j.currency}`).join(', ') : 'no journal',
          ended,
        };
        if (!opts.json) console.log(`  ${p.name.padEnd(18)} ${ended ? 'ended' : 'did NOT end in time'}`);
        return outcome;
      }
      await sleep(500);
    }
  }

  if (opts.json) {
    console.log(JSON.stringify({ run, outcomes }, null, 2));
  } else {
    const headers = ['path', 'order id', 'order', 'payment', 'emails sent', 'ledger effect'];
    const rows = outcomes.map((o) => [o.path, o.orderId, o.order, o.payment, o.emails.join(', ') || 'none', o.ledger]);
    const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
    console.log(['', line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n'));
    console.log(`\nC5 orders stay unfinished on purpose: their payment is REQUIRES_REVIEW, for a person (SPEC §4).`);
  }
  if (outcomes.some((o) => !o.ended)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof DemoError ? `demo: ${error.message}` : error);
  process.exit(2);
});
