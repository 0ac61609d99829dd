import 'reflect-metadata';
import { armFailpoints } from '@paystate/failpoints';
import { startService } from '@paystate/service-runtime';
import { FulfilmentServiceModule } from './app.module';
import { loadConfig, loadFailpoints } from './config/config';

async function main(): Promise<void> {
  const config = loadConfig();
  armFailpoints(loadFailpoints());
  await startService(FulfilmentServiceModule.register(config), {
    port: config.PORT,
    host: config.HOST,
    consumer: { brokers: config.KAFKA_BROKERS, groupId: config.KAFKA_GROUP_ID, partitionsConsumedConcurrently: config.KAFKA_PARTITIONS_CONCURRENTLY, redriveIntervalMs: config.DLQ_REDRIVE_INTERVAL_MS },
  });
}

main().catch((error: unknown) => {
  console.error('fulfilment-service failed to start:', error);
  process.exit(1);
});
