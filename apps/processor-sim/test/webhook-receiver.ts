import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  rawBody: string;
  event: { id: string; type: string; created: number; sequence: number; data: Record<string, unknown> };
  answeredWith: number;
  at: number;
}

/**
 * A stand-in for payment-service's webhook endpoint: records every request with its raw body and
 * answers 200, or 500 for the next N requests about a reference (to make the processor retry).
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private readonly failures = new Map<string, number>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<WebhookReceiver> {
    const holder: { receiver?: WebhookReceiver } = {};
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const rawBody = Buffer.concat(chunks).toString('utf8');
        const event = JSON.parse(rawBody) as ReceivedWebhook['event'];
        const reference = String(event.data['reference']);
        const failuresLeft = holder.receiver?.failures.get(reference) ?? 0;
        const status = failuresLeft > 0 ? 500 : 200;
        if (failuresLeft > 0) holder.receiver?.failures.set(reference, failuresLeft - 1);
        holder.receiver?.received.push({ headers: req.headers, rawBody, event, answeredWith: status, at: Date.now() });
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ received: status === 200 }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const receiver = new WebhookReceiver(server, `http://127.0.0.1:${port}/webhooks/processor`);
    holder.receiver = receiver;
    return receiver;
  }

  /** Answer 500 to the next `count` webhooks about `reference`. */
  failNext(reference: string, count: number): void {
    this.failures.set(reference, count);
  }

  about(reference: string): ReceivedWebhook[] {
    return this.received.filter((r) => r.event.data['reference'] === reference);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A TCP port nothing listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
