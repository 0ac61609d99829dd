import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { handlerPattern } from './names';
import { findPgTools } from './pg-tools';
import { remaining } from './positions';

describe('recovery helpers', () => {
  it('counts the records still to consume per partition, never below zero, an uncommitted partition from 0', () => {
    const targets = [
      { topic: 'payment.events', partition: 0, end: 10 },
      { topic: 'payment.events', partition: 1, end: 5 },
      { topic: 'fulfilment.events', partition: 0, end: 3 },
    ];
    const committed = new Map([
      ['payment.events/0', 7],
      ['payment.events/1', 9], // ahead of the captured end: 0, not -4
      ['fulfilment.events/0', -1], // nothing committed
    ]);
    expect(remaining(targets, committed)).toBe(3 + 0 + 3);
  });

  it("matches a group's handlers only (LIKE metacharacters in the name escaped)", () => {
    expect(handlerPattern('ledger-service')).toBe('ledger-service.%');
    expect(handlerPattern('a_b%c')).toBe('a\\_b\\%c.%');
  });

  it('finds pg_dump/pg_restore in PAYSTATE_PG_BIN when neither the stack nor PATH has them, and names every place tried', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pgbin-'));
    try {
      for (const tool of ['pg_dump', 'pg_restore']) writeFileSync(path.join(dir, tool), '');
      const found = findPgTools('dev', { PATH: '', PAYSTATE_PG_BIN: dir });
      if (found.source.startsWith('PAYSTATE_PG_BIN')) expect(found.pgDump).toBe(path.join(dir, 'pg_dump'));
      else expect(found.source).toMatch(/state\.json/); // a dev stack runs here: its own binaries come first
      if (found.source.startsWith('PAYSTATE_PG_BIN')) expect(() => findPgTools('dev', { PATH: '', PAYSTATE_PG_BIN: path.join(dir, 'missing') })).toThrow(/not in the dev stack's state.json.*not on PATH.*PAYSTATE_PG_BIN is .*missing/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
