import { leasedClaimStatement } from './leased-claim';

describe('leasedClaimStatement', () => {
  it('locks the due rows with SKIP LOCKED and leases them in one statement, the limit as the last parameter', () => {
    const { sql, params } = leasedClaimStatement({
      table: 'job',
      due: 'next_attempt_at <= $1',
      orderBy: 'next_attempt_at',
      limit: 10,
      lease: 'locked_until = $2, attempts = claimed.attempts + 1',
      returning: ['id'],
      params: ['now', 'until'],
    });
    expect(sql).toBe(
      'WITH due AS (SELECT id FROM job WHERE next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED) ' +
        'UPDATE job claimed SET locked_until = $2, attempts = claimed.attempts + 1 FROM due WHERE claimed.id = due.id RETURNING claimed.id',
    );
    expect(params).toEqual(['now', 'until', 10]);
  });

  it('claims every due row, returning all columns, when no order, limit or columns are given', () => {
    const { sql, params } = leasedClaimStatement({ table: 'job', due: "status = 'held'", lease: "status = 'pending'", params: [] });
    expect(sql).toBe("WITH due AS (SELECT id FROM job WHERE status = 'held' FOR UPDATE SKIP LOCKED) UPDATE job claimed SET status = 'pending' FROM due WHERE claimed.id = due.id RETURNING claimed.*");
    expect(params).toEqual([]);
  });
});
