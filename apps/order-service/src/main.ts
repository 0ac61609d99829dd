import 'reflect-metadata';
import { startService } from '@paystate/service-runtime';
import { OrderServiceModule } from './app.module';
import { loadConfig } from './config/config';

async function main(): Promise<void> {
  const config = loadConfig();
  // order-service consumes nothing yet: the saga's facts reach it with the next issue
  await startService(OrderServiceModule.register(config), { port: config.PORT, host: config.HOST });
}

main().catch((error: unknown) => {
  console.error('order-service failed to start:', error);
  process.exit(1);
});
