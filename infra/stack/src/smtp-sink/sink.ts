// A local SMTP sink for the native stack (SPEC §10), the stand-in for Mailpit: accepts any mail on
// loopback (no auth, no TLS), keeps it in memory and in a JSONL file (so a restart keeps what was
// received), and serves the Mailpit API subset of mailbox.ts, including Mailpit's chaos triggers
// (chaos.ts), with which a test or the nemesis makes it refuse mail for a while.
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { AddressObject, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { ChaosTriggers, NO_CHAOS, parseChaos, refusalCode } from './chaos';
import { MailAddress, StoredMessage, bareMessageId, matchesQuery, pageOf, parseStore, storeLine, summaryOf } from './mailbox';

export interface SmtpSinkOptions {
  host?: string;
  /** 0 picks a free port. */
  smtpPort: number;
  httpPort: number;
  /** The JSONL file; absent: memory only. */
  storeFile?: string;
  /** Recipients matching it are refused with 550, to produce a permanent failure on purpose. */
  rejectRecipients?: RegExp;
  log?: (line: string) => void;
}

export interface SmtpSink {
  smtpPort: number;
  httpPort: number;
  apiUrl: string;
  close(): Promise<void>;
}

function addresses(value: AddressObject | AddressObject[] | undefined): MailAddress[] {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return list.flatMap((o) => o.value).map((a) => ({ Name: a.name ?? '', Address: a.address ?? '' }));
}

export async function startSmtpSink(opts: SmtpSinkOptions): Promise<SmtpSink> {
  const host = opts.host ?? '127.0.0.1';
  const log = opts.log ?? (() => undefined);
  let messages: StoredMessage[] = opts.storeFile && existsSync(opts.storeFile) ? parseStore(readFileSync(opts.storeFile, 'utf8')) : [];
  if (opts.storeFile) mkdirSync(path.dirname(opts.storeFile), { recursive: true });

  const keep = (m: StoredMessage): void => {
    messages.push(m);
    if (opts.storeFile) appendFileSync(opts.storeFile, storeLine(m));
  };
  const rewriteStore = (): void => {
    if (!opts.storeFile) return;
    const tmp = `${opts.storeFile}.tmp`;
    writeFileSync(tmp, messages.map(storeLine).join(''));
    renameSync(tmp, opts.storeFile);
  };

  // In memory only: a restarted sink accepts mail again, like a mail server that came back.
  let chaos: ChaosTriggers = NO_CHAOS;
  const refused = (stage: 'Sender' | 'Recipient', what: string): Error | undefined => {
    const code = refusalCode(chaos[stage], Math.random);
    if (code === undefined) return undefined;
    log(`chaos: refused ${what} with ${code}`);
    return Object.assign(new Error(`refused on purpose (chaos ${stage} trigger): ${what}`), { responseCode: code });
  };

  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    size: 10 * 1024 * 1024,
    onMailFrom(address, _session, callback) {
      callback(refused('Sender', `MAIL FROM ${address.address}`));
    },
    onRcptTo(address, _session, callback) {
      const chaosRefusal = refused('Recipient', `RCPT TO ${address.address}`);
      if (chaosRefusal) return callback(chaosRefusal);
      if (opts.rejectRecipients?.test(address.address)) {
        callback(Object.assign(new Error(`mailbox unavailable: ${address.address}`), { responseCode: 550 }));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (parsed) => {
            const now = new Date().toISOString();
            const headers: Record<string, string[]> = {};
            for (const line of parsed.headerLines) (headers[line.key] ??= []).push(line.line.slice(line.line.indexOf(':') + 1).trim());
            const envelopeTo = session.envelope.rcptTo.map((r) => ({ Name: '', Address: r.address }));
            const to = addresses(parsed.to);
            const m: StoredMessage = {
              ID: randomUUID(),
              MessageID: bareMessageId(parsed.messageId),
              From: addresses(parsed.from)[0] ?? { Name: '', Address: session.envelope.mailFrom ? session.envelope.mailFrom.address : '' },
              To: to.length > 0 ? to : envelopeTo,
              Cc: addresses(parsed.cc),
              Bcc: addresses(parsed.bcc),
              ReplyTo: addresses(parsed.replyTo),
              Subject: parsed.subject ?? '',
              Date: (parsed.date ?? new Date(now)).toISOString(),
              Created: now,
              Text: parsed.text ?? '',
              HTML: typeof parsed.html === 'string' ? parsed.html : '',
              Size: raw.length,
              Headers: headers,
            };
            keep(m);
            log(`received ${m.ID} <${m.MessageID}> to ${m.To.map((a) => a.Address).join(', ')}: ${m.Subject}`);
            callback();
          },
          (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
        );
      });
    },
  });
  smtp.on('error', (error) => log(`smtp error: ${error.message}`));

  const http = createServer((req, res) => {
    try {
      route(req, res);
    } catch (error) {
      json(res, 500, { error: error instanceof Error ? error.message : String(error) });
    }
  });

  function json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  function route(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', `http://${host}`);
    const int = (name: string): number | undefined => (url.searchParams.has(name) ? Number(url.searchParams.get(name)) : undefined);
    const paging = { start: int('start') ?? 0, ...(int('limit') !== undefined ? { limit: int('limit') } : {}) };
    if (req.method === 'GET' && (url.pathname === '/livez' || url.pathname === '/readyz')) return void res.writeHead(200).end('ok');
    if (req.method === 'GET' && url.pathname === '/api/v1/messages') return json(res, 200, pageOf(messages, paging));
    if (req.method === 'GET' && url.pathname === '/api/v1/search') {
      const found = messages.filter((m) => matchesQuery(m, url.searchParams.get('query') ?? ''));
      return json(res, 200, { ...pageOf(found, paging), messages_count: found.length });
    }
    const one = /^\/api\/v1\/message\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && one) {
      const id = decodeURIComponent(one[1] ?? '');
      const m = id === 'latest' ? messages[messages.length - 1] : messages.find((x) => x.ID === id);
      if (!m) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('message not found');
      const { Headers: _headers, ...rest } = m;
      return json(res, 200, { ...rest, ...summaryOf(m), Text: m.Text, HTML: m.HTML, Date: m.Date, Inline: [], Attachments: [] });
    }
    const headersOf = /^\/api\/v1\/message\/([^/]+)\/headers$/.exec(url.pathname);
    if (req.method === 'GET' && headersOf) {
      const m = messages.find((x) => x.ID === decodeURIComponent(headersOf[1] ?? ''));
      return m ? json(res, 200, m.Headers) : void res.writeHead(404).end('message not found');
    }
    if (url.pathname === '/api/v1/chaos' && req.method === 'GET') return json(res, 200, chaos);
    if (url.pathname === '/api/v1/chaos' && req.method === 'PUT') {
      readBody(req, res, (text) => {
        let body: unknown;
        try {
          body = text === '' ? {} : JSON.parse(text);
        } catch {
          return void res.writeHead(400, { 'content-type': 'text/plain' }).end('the body is not JSON');
        }
        const parsed = parseChaos(body);
        if (!parsed.ok) return void res.writeHead(400, { 'content-type': 'text/plain' }).end(parsed.error);
        chaos = parsed.triggers;
        log(`chaos: Sender ${chaos.Sender.Probability}% ${chaos.Sender.ErrorCode}, Recipient ${chaos.Recipient.Probability}% ${chaos.Recipient.ErrorCode}`);
        json(res, 200, chaos);
      });
      return;
    }
    if (req.method === 'DELETE' && url.pathname === '/api/v1/messages') {
      readBody(req, res, (text) => {
        const ids = text ? (JSON.parse(text) as { IDs?: string[] }).IDs : undefined;
        messages = ids && ids.length > 0 ? messages.filter((m) => !ids.includes(m.ID)) : [];
        rewriteStore();
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }

  /** The request body as text; an error in `then` is a 500 (inside an event handler it would otherwise crash the sink). */
  function readBody(req: IncomingMessage, res: ServerResponse, then: (text: string) => void): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        then(Buffer.concat(chunks).toString('utf8').trim());
      } catch (error) {
        json(res, 500, { error: error instanceof Error ? error.message : String(error) });
      }
    });
  }

  await new Promise<void>((resolve, reject) => {
    smtp.server.once('error', reject);
    smtp.listen(opts.smtpPort, host, () => resolve());
  });
  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(opts.httpPort, host, () => resolve());
    });
  } catch (error) {
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    throw error;
  }
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  const httpPort = (http.address() as AddressInfo).port;
  log(`smtp sink: SMTP on ${host}:${smtpPort}, Mailpit API on http://${host}:${httpPort}${opts.storeFile ? `, store ${opts.storeFile} (${messages.length} kept)` : ''}`);
  return {
    smtpPort,
    httpPort,
    apiUrl: `http://${host}:${httpPort}`,
    close: () => closeBoth(smtp, http),
  };
}

async function closeBoth(smtp: SMTPServer, http: Server): Promise<void> {
  http.closeAllConnections();
  await Promise.all([new Promise<void>((resolve) => http.close(() => resolve())), new Promise<void>((resolve) => smtp.close(() => resolve()))]);
}
