import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { IdempotencyClaim, IdempotentResponse, answerIdempotently } from '@paystate/service-runtime';
import { CarrierFaults, NO_CARRIER_FAULTS } from '../../domain/carrier';
import { FulfilmentStore } from '../../infrastructure/persistence/fulfilment-store';

/**
 * Operator fault injection for the simulated carrier (POST/DELETE /admin/carrier/faults). Kept in
 * the database, so it survives restarts and is shared by every instance; the values given replace
 * the current ones (setting the same faults twice has the same effect as once).
 */
@Injectable()
export class CarrierFaultInjection {
  private readonly logger = new Logger(CarrierFaultInjection.name);

  constructor(@Inject(DataSource) private readonly dataSource: DataSource, private readonly store: FulfilmentStore) {}

  async current(): Promise<CarrierFaults> {
    return this.dataSource.transaction((manager) => this.store.lockCarrierFaults(manager));
  }

  /**
   * Sets the faults and completes the request's Idempotency-Key in the same transaction, so a retry
   * replays this answer rather than setting the faults again (e.g. re-arming a `failNext` that has
   * counted down in between).
   */
  async inject(
    change: Partial<CarrierFaults>,
    clientId: string,
    now: Date,
    idempotency: { claim: IdempotencyClaim; respond: (faults: CarrierFaults) => IdempotentResponse },
  ): Promise<IdempotentResponse> {
    const { result: faults, response } = await answerIdempotently(this.dataSource, idempotency, async (manager) => {
      const next = { ...(await this.store.lockCarrierFaults(manager)), ...change };
      await this.store.saveCarrierFaults(manager, next, now);
      return next;
    });
    this.logger.warn({ clientId, ...faults }, 'carrier faults injected');
    return response;
  }

  async clear(clientId: string, now: Date): Promise<CarrierFaults> {
    await this.dataSource.transaction((manager) => this.store.saveCarrierFaults(manager, NO_CARRIER_FAULTS, now));
    this.logger.log({ clientId }, 'carrier faults cleared');
    return NO_CARRIER_FAULTS;
  }
}
