import { DataSource, DataSourceOptions, MixedList, EntitySchema } from 'typeorm';

export interface ServiceDataSourceConfig {
  /** postgres://role:password@host:port/database: each service connects as its own role to its own database. */
  url: string;
  /** Who is connecting, shown in pg_stat_activity. */
  applicationName: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations?: MixedList<Function | string>;
  poolSize?: number;
}

/** Schema changes only ever come from reviewed migrations, run as their own step: never `synchronize`. */
export function serviceDataSourceOptions(config: ServiceDataSourceConfig): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.url,
    applicationName: config.applicationName,
    entities: config.entities ?? [],
    migrations: config.migrations ?? [],
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: ['error', 'warn'],
    extra: {
      max: config.poolSize ?? 10,
      // a stuck statement must fail and be retried rather than hold a partition forever
      statement_timeout: 30_000,
      idle_in_transaction_session_timeout: 60_000,
      connectionTimeoutMillis: 10_000,
    },
  };
}

export async function runMigrations(options: DataSourceOptions, log: (line: string) => void = console.log): Promise<number> {
  const dataSource = new DataSource(options);
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    for (const m of applied) log(`applied migration ${m.name}`);
    if (applied.length === 0) log('schema up to date');
    return applied.length;
  } finally {
    await dataSource.destroy();
  }
}
