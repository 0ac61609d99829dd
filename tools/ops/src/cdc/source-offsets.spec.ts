import { compareOffset, lsnToNumber, lsnToText, storedLsn } from './source-offsets';

const offsets = (offset: Record<string, unknown> | null) => [{ partition: { server: 'paystate.ledger' }, offset }];

describe('Debezium’s stored offset against the slot', () => {
  it('reads and writes LSNs as byte positions', () => {
    expect(lsnToNumber('0/30A6310')).toBe(51012368);
    expect(lsnToNumber('1/0')).toBe(2 ** 32);
    expect(lsnToText(2 ** 32 + 255)).toBe('1/FF');
    expect(lsnToNumber('not an lsn')).toBeNull();
    expect(lsnToNumber(null)).toBeNull();
  });

  it('takes the LSN Debezium flushes: lsn_commit, else lsn_proc, else lsn', () => {
    expect(storedLsn({ lsn: 30, lsn_proc: 20, lsn_commit: 10 })).toEqual({ lsn: 10, key: 'lsn_commit' });
    expect(storedLsn({ lsn: 30, lsn_proc: 20 })).toEqual({ lsn: 20, key: 'lsn_proc' });
    expect(storedLsn({ lsn: 30, txId: 1 })).toEqual({ lsn: 30, key: 'lsn' });
    expect(storedLsn({ txId: 1 })).toBeNull();
  });

  it('in step when the slot confirmed exactly the stored offset', () => {
    expect(compareOffset('c', 's', offsets({ lsn: 51012368 }), '0/30A6310')).toMatchObject({ verdict: 'in step', gapBytes: 0, offsetLsn: '0/30A6310', problem: false });
  });

  it('a slot behind the offset is the normal wait for the next offset commit', () => {
    expect(compareOffset('c', 's', offsets({ lsn: 51012368 + 100 }), '0/30A6310')).toMatchObject({ verdict: 'slot behind offset', gapBytes: -100, problem: false });
  });

  it('a slot confirmed past the stored offset is a problem: the WAL in between would be skipped', () => {
    const c = compareOffset('c', 's', offsets({ lsn: 51012368 - 4096 }), '0/30A6310');
    expect(c).toMatchObject({ verdict: 'offset behind slot', gapBytes: 4096, problem: true });
    expect(c.note).toMatch(/4096 bytes/);
  });

  it('says what it does not know instead of inventing a gap', () => {
    expect(compareOffset('c', 's', [], '0/1')).toMatchObject({ verdict: 'no stored offset', gapBytes: null, problem: false });
    expect(compareOffset('c', 's', offsets(null), '0/1')).toMatchObject({ verdict: 'no stored offset', gapBytes: null });
    expect(compareOffset('c', null, offsets({ lsn: 5 }), null)).toMatchObject({ verdict: 'unknown', gapBytes: null, offsetLsn: '0/5' });
    expect(compareOffset('c', 's', null, '0/1', 'Connect answered 500')).toMatchObject({ verdict: 'unknown', note: 'Connect answered 500' });
  });
});
