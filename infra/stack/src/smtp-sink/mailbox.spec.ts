import { StoredMessage, bareMessageId, matchesQuery, pageOf, parseStore, snippetOf, storeLine, summaryOf } from './mailbox';

const message = (overrides: Partial<StoredMessage> = {}): StoredMessage => ({
  ID: 'id-1',
  MessageID: 'n-1@notifications.paystate.local',
  From: { Name: 'paystate', Address: 'orders@paystate.local' },
  To: [{ Name: '', Address: 'ada@example.com' }],
  Cc: [],
  Bcc: [],
  ReplyTo: [],
  Subject: 'Your order 0B6F7C3E is confirmed',
  Date: '2026-11-22T10:00:00.000Z',
  Created: '2026-11-22T10:00:01.000Z',
  Text: 'We have received\n\nyour payment.',
  HTML: '<p>We have received</p>',
  Size: 100,
  Headers: {},
  ...overrides,
});

describe('the sink mailbox (Mailpit API shapes)', () => {
  it('lists newest first with Mailpit field names', () => {
    const page = pageOf([message({ ID: 'a' }), message({ ID: 'b' })]);
    expect(page).toMatchObject({ total: 2, count: 2, start: 0 });
    expect(page.messages.map((m) => m.ID)).toEqual(['b', 'a']);
    expect(Object.keys(page.messages[0]!)).toEqual(expect.arrayContaining(['ID', 'MessageID', 'From', 'To', 'Subject', 'Created', 'Snippet']));
  });

  it('pages with start and limit', () => {
    const page = pageOf(['a', 'b', 'c'].map((ID) => message({ ID })), { start: 1, limit: 1 });
    expect(page.messages.map((m) => m.ID)).toEqual(['b']);
    expect(page.total).toBe(3);
  });

  it('the snippet is the text on one line, else the HTML without tags', () => {
    expect(summaryOf(message()).Snippet).toBe('We have received your payment.');
    expect(snippetOf('', '<style>p{}</style><p>Hello <b>you</b></p>')).toBe('Hello you');
    expect(snippetOf('x'.repeat(300), '')).toHaveLength(253);
  });

  it('a Message-ID is shown without angle brackets', () => {
    expect(bareMessageId('<n-1@host>')).toBe('n-1@host');
  });

  it('search matches to:, subject:, message-id: and free text, all terms together', () => {
    const m = message();
    expect(matchesQuery(m, 'to:ada@example.com')).toBe(true);
    expect(matchesQuery(m, 'to:grace@example.com')).toBe(false);
    expect(matchesQuery(m, 'subject:"is confirmed" to:ada')).toBe(true);
    expect(matchesQuery(m, 'message-id:<n-1@notifications.paystate.local>')).toBe(true);
    expect(matchesQuery(m, 'payment')).toBe(true);
    expect(matchesQuery(m, 'payment refund')).toBe(false);
  });

  it('the JSONL store survives a torn last line', () => {
    const text = storeLine(message({ ID: 'a' })) + storeLine(message({ ID: 'b' })) + '{"ID":"c","Mess';
    expect(parseStore(text).map((m) => m.ID)).toEqual(['a', 'b']);
  });
});
