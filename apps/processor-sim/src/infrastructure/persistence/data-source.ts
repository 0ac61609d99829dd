import { DataSourceOptions } from 'typeorm';
import { serviceDataSourceOptions } from '@paystate/persistence';
import { ProcessorRecords1763900000000 } from '../../../migrations/1763900000000-processor-records';
import type { ProcessorSimConfig } from '../../config/config';

/** Plain SQL throughout (row locks, SKIP LOCKED, advisory locks): no entities to map. */
export const processorDataSourceOptions = (config: Pick<ProcessorSimConfig, 'DATABASE_URL' | 'SERVICE_NAME' | 'DATABASE_POOL_SIZE'>): DataSourceOptions =>
  serviceDataSourceOptions({
    url: config.DATABASE_URL,
    applicationName: config.SERVICE_NAME,
    poolSize: config.DATABASE_POOL_SIZE,
    migrations: [ProcessorRecords1763900000000],
  });
