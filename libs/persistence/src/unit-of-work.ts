import type { DataSource, EntityManager } from 'typeorm';
import { UnitOfWorkName, failpoint } from '@paystate/failpoints';

export interface UnitOfWorkSteps<R> {
  /**
   * Runs after the `.before-commit` point, as the transaction's last statements: writes that a
   * concurrent request would wait on (completing an Idempotency-Key) go here, so a transaction held
   * at that point shows as still in progress rather than blocking the others on a row lock.
   */
  lastStep?: (manager: EntityManager, result: R) => Promise<void>;
}

/**
 * A named unit of work: `work` and `lastStep` in one transaction, with the unit's failpoints at
 * its seams, so the use case holds none: `<name>.before-commit` inside the transaction after the
 * work (a delay holds it open, a throw rolls it back) and `<name>.after-commit` after the commit,
 * before the caller goes on (a kill there loses the answer, not the effects).
 */
export async function runInTransaction<R>(dataSource: DataSource, name: UnitOfWorkName, work: (manager: EntityManager) => Promise<R>, steps: UnitOfWorkSteps<R> = {}): Promise<R> {
  const result = await dataSource.transaction(async (manager) => {
    const result = await work(manager);
    await failpoint.async(`${name}.before-commit`);
    await steps.lastStep?.(manager, result);
    return result;
  });
  await failpoint.async(`${name}.after-commit`);
  return result;
}
