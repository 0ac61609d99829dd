import { Admin, Kafka, logLevel } from 'kafkajs';
import { unavailable } from '../errors';

/** A connected kafkajs admin client; an unreachable broker is an `unavailable` error naming it. */
export async function connectAdmin(brokers: string[]): Promise<Admin> {
  const kafka = new Kafka({ clientId: 'paystate-ops', brokers, logLevel: logLevel.NOTHING, connectionTimeout: 3_000, requestTimeout: 10_000, retry: { retries: 2, initialRetryTime: 200 } });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } catch (error) {
    await admin.disconnect().catch(() => undefined);
    throw unavailable(`Kafka (${brokers.join(',')})`, error);
  }
  return admin;
}
