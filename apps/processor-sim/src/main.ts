import 'reflect-metadata';
import { startService } from '@paystate/service-runtime';
import { ProcessorSimModule } from './app.module';
import { loadConfig } from './config/config';

async function main(): Promise<void> {
  const config = loadConfig();
  // external to our system: no Kafka consumer, no outbox; HTTP in, signed webhooks out
  await startService(ProcessorSimModule.register(config), { port: config.PORT, host: config.HOST });
}

main().catch((error: unknown) => {
  console.error('processor-sim failed to start:', error);
  process.exit(1);
});
