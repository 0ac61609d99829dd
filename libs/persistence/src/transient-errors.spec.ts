import { isTransientDatabaseError, isUniqueViolation } from './transient-errors';

describe('isTransientDatabaseError', () => {
  it.each(['40001', '40P01', '55P03', '08006', '57P01'])('retries SQLSTATE %s', (code) => {
    expect(isTransientDatabaseError({ code })).toBe(true);
  });

  it('retries a refused connection wrapped by the ORM', () => {
    expect(isTransientDatabaseError({ message: 'query failed', driverError: { code: 'ECONNREFUSED' } })).toBe(true);
  });

  it.each(['23505', '23514', '22P02', '42P01'])('does not retry SQLSTATE %s (a bug or a broken invariant)', (code) => {
    expect(isTransientDatabaseError({ code })).toBe(false);
  });

  it('does not retry a plain error', () => {
    expect(isTransientDatabaseError(new Error('boom'))).toBe(false);
    expect(isTransientDatabaseError(undefined)).toBe(false);
  });
});

describe('isUniqueViolation', () => {
  it('matches the constraint name when given', () => {
    const error = { driverError: { code: '23505', constraint: 'payments_one_live_per_order' } };
    expect(isUniqueViolation(error)).toBe(true);
    expect(isUniqueViolation(error, 'payments_one_live_per_order')).toBe(true);
    expect(isUniqueViolation(error, 'other')).toBe(false);
    expect(isUniqueViolation({ code: '23503' })).toBe(false);
  });
});
