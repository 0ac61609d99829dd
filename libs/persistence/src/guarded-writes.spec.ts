import { StaleWriteError, affectedRows, guardedUpdate, updateReturning } from './guarded-writes';
import { isTransientDatabaseError } from './transient-errors';

// `query` answers as TypeORM's postgres driver does; the statements themselves run in every
// service's int suite against a real database.
const answering = (result: unknown) => ({ query: () => Promise.resolve(result) }) as never;

describe('affectedRows', () => {
  it('reads the count of an UPDATE or DELETE answer', () => {
    expect(affectedRows([[], 0])).toBe(0);
    expect(affectedRows([[{ id: 'a' }], 1])).toBe(1);
  });

  it.each([[[{ id: 'a' }, { id: 'b' }]], [[]], [undefined], [[[], '1']]])('refuses an answer that is not an UPDATE or DELETE’s (%j)', (result) => {
    expect(() => affectedRows(result)).toThrow(TypeError);
  });
});

describe('updateReturning', () => {
  it('answers the returned rows', async () => {
    await expect(updateReturning(answering([[{ id: 'a' }], 1]), 'UPDATE …', [])).resolves.toEqual([{ id: 'a' }]);
  });
});

describe('guardedUpdate', () => {
  const stale = { aggregate: 'order', id: 'o-1', expected: 'changed since version 3' };

  it('passes when exactly one row changed', async () => {
    await expect(guardedUpdate(answering([[], 1]), 'UPDATE …', [], stale)).resolves.toBeUndefined();
  });

  it('throws a StaleWriteError naming the aggregate when no row changed', async () => {
    const error = await guardedUpdate(answering([[], 0]), 'UPDATE …', [], stale).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StaleWriteError);
    expect(error).toMatchObject({ aggregate: 'order', id: 'o-1', message: 'order o-1 changed since version 3' });
  });
});

describe('StaleWriteError', () => {
  it('is retried like a serialization failure', () => {
    expect(isTransientDatabaseError(new StaleWriteError('payment', 'p-1', 'changed since version 2'))).toBe(true);
  });
});
