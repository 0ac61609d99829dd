// The SMTP sink's store and the subset of Mailpit's REST API (v1) that tests and the demo use,
// with Mailpit's field names and shapes, so one client works against Mailpit in docker compose
// and against this sink natively. Pure: no I/O here.

export interface MailAddress {
  Name: string;
  Address: string;
}

/** One received message as stored (a JSONL line) and as `GET /api/v1/message/:id` returns it. */
export interface StoredMessage {
  ID: string;
  /** Without the angle brackets, as Mailpit shows it. */
  MessageID: string;
  From: MailAddress;
  To: MailAddress[];
  Cc: MailAddress[];
  Bcc: MailAddress[];
  ReplyTo: MailAddress[];
  Subject: string;
  /** The Date header (ISO 8601), or the receive time when absent. */
  Date: string;
  /** When the sink received it (ISO 8601). */
  Created: string;
  Text: string;
  HTML: string;
  Size: number;
  /** Header name → values, as received. */
  Headers: Record<string, string[]>;
}

/** A list entry of `GET /api/v1/messages` and `GET /api/v1/search`. */
export interface MessageSummary {
  ID: string;
  MessageID: string;
  Read: boolean;
  From: MailAddress;
  To: MailAddress[];
  Cc: MailAddress[];
  Bcc: MailAddress[];
  ReplyTo: MailAddress[];
  Subject: string;
  Created: string;
  Tags: string[];
  Size: number;
  Attachments: number;
  Snippet: string;
}

export interface MessagesPage {
  total: number;
  unread: number;
  count: number;
  messages_count: number;
  start: number;
  tags: string[];
  messages: MessageSummary[];
}

/** The first 250 characters of the text (or the HTML without tags), on one line: Mailpit's Snippet. */
export function snippetOf(text: string, html: string): string {
  const source = text.trim() !== '' ? text : html.replace(/<style[\s\S]*?<\/style>/gi, ' ').replace(/<[^>]+>/g, ' ');
  const flat = source.replace(/\s+/g, ' ').trim();
  return flat.length > 250 ? `${flat.slice(0, 250)}...` : flat;
}

export function summaryOf(m: StoredMessage): MessageSummary {
  return {
    ID: m.ID,
    MessageID: m.MessageID,
    Read: false,
    From: m.From,
    To: m.To,
    Cc: m.Cc,
    Bcc: m.Bcc,
    ReplyTo: m.ReplyTo,
    Subject: m.Subject,
    Created: m.Created,
    Tags: [],
    Size: m.Size,
    Attachments: 0,
    Snippet: snippetOf(m.Text, m.HTML),
  };
}

/** `<abc@host>` → `abc@host`. */
export const bareMessageId = (id: string | undefined): string => (id ?? '').trim().replace(/^<|>$/g, '');

/**
 * Mailpit's search, the part worth having: space-separated terms, all of which must match
 * (case-insensitive): `to:`, `from:`, `subject:`, `message-id:`, or free text in subject and body.
 * Quotes group words: `subject:"order 1"`.
 */
export function matchesQuery(m: StoredMessage, query: string): boolean {
  const terms = [...query.matchAll(/([a-z-]+:)?(?:"([^"]*)"|(\S+))/gi)].map((t) => ({ field: (t[1] ?? '').toLowerCase().slice(0, -1), value: (t[2] ?? t[3] ?? '').toLowerCase() }));
  const has = (haystack: string, needle: string): boolean => haystack.toLowerCase().includes(needle);
  const addresses = (list: MailAddress[]): string => list.map((a) => `${a.Name} <${a.Address}>`).join(', ');
  return terms.every(({ field, value }) => {
    switch (field) {
      case 'to':
        return has(addresses([...m.To, ...m.Cc, ...m.Bcc]), value);
      case 'from':
        return has(addresses([m.From]), value);
      case 'subject':
        return has(m.Subject, value);
      case 'message-id':
        return m.MessageID.toLowerCase() === bareMessageId(value);
      default:
        return has(`${m.Subject}\n${m.Text}\n${m.HTML}`, field ? `${field}:${value}` : value);
    }
  });
}

/** A page of `messages` (kept in arrival order), newest first, like Mailpit. */
export function pageOf(messages: readonly StoredMessage[], opts: { start?: number; limit?: number; total?: number } = {}): MessagesPage {
  const start = Math.max(0, opts.start ?? 0);
  const limit = opts.limit !== undefined && opts.limit > 0 ? opts.limit : 50;
  const newestFirst = [...messages].reverse();
  const page = newestFirst.slice(start, start + limit).map(summaryOf);
  return { total: opts.total ?? messages.length, unread: messages.length, count: page.length, messages_count: messages.length, start, tags: [], messages: page };
}

/** Reads the JSONL store; a torn last line (a crash mid-append) is skipped, not fatal. */
export function parseStore(jsonl: string): StoredMessage[] {
  const messages: StoredMessage[] = [];
  for (const line of jsonl.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const m = JSON.parse(line) as StoredMessage;
      if (typeof m.ID === 'string') messages.push(m);
    } catch {
      // torn write: ignore
    }
  }
  return messages;
}

export const storeLine = (m: StoredMessage): string => `${JSON.stringify(m)}\n`;
