import { randomUUID } from 'node:crypto';
import type { DataSourceOptions } from 'typeorm';
import { queryAsSuperuser, testStack } from '@paystate/testing';
import type { PaymentServiceConfig } from '../../src/config/config';
import { paymentDataSourceOptions } from '../../src/infrastructure/persistence/data-source';

/** Runs SQL as the test stack's superuser, on its maintenance database. */
const asSuperuser = async (sql: string): Promise<void> => {
  await queryAsSuperuser('postgres', sql);
};

/**
 * A database of the spec's own on the test stack's PostgreSQL, with payment-service's data source
 * options pointing at it (its migrations included, not yet run): a spec that drives the service's
 * use cases directly shares nothing with the running services or the other specs.
 */
export async function ownPaymentDatabase(label: string): Promise<{ options: DataSourceOptions; drop: () => Promise<void> }> {
  const name = `paystate_payment_${label}_${randomUUID().slice(0, 8)}`;
  await asSuperuser(`CREATE DATABASE ${name}`);
  const url = new URL(testStack().pg.superuserUrl);
  url.pathname = `/${name}`;
  const options = paymentDataSourceOptions({ DATABASE_URL: url.toString(), SERVICE_NAME: `payment-${label}-test`, DATABASE_POOL_SIZE: 4 } as PaymentServiceConfig);
  return { options, drop: () => asSuperuser(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
