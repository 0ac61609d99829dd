import 'reflect-metadata';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { DataSource } from 'typeorm';
import { authenticateApiKey, createApiKey } from '@paystate/service-runtime';
import { loadConfig } from '../config/config';
import { paymentDataSourceOptions } from '../infrastructure/persistence/data-source';
import { KNOWN_PAYMENT_SCOPES } from '../infrastructure/http/scopes';

/**
 * Creates an API key for a client of payment-service (DATABASE_URL says where) and prints it once,
 * alone on stdout, so it can be captured: KEY=$(node apps/payment-service/dist/src/cli/create-api-key.js …).
 * Only its SHA-256 is stored; a lost key is replaced, not recovered.
 *
 * --key-file: for the dev stack: reuse the key kept in that file while it is still live (same
 * client, every scope asked for), otherwise create one and write it there (mode 0600).
 */
interface Options {
  client: string;
  scopes: string;
  name?: string;
  keyFile?: string;
}

const program = new Command('create-api-key')
  .description('Create an payment-service API key; prints it once (only its hash is stored)')
  .requiredOption('--client <id>', 'the client id the key authenticates (the scope of its idempotency keys)')
  .requiredOption('--scopes <list>', `comma-separated scopes (${KNOWN_PAYMENT_SCOPES.join(', ')})`)
  .option('--name <name>', 'what the key is for, shown to operators')
  .option('--key-file <path>', 'reuse the live key kept in this file, or write the new key there')
  .showHelpAfterError();

async function main(opts: Options): Promise<void> {
  const scopes = [...new Set(opts.scopes.split(',').map((s) => s.trim()).filter(Boolean))];
  const unknown = scopes.filter((s) => !KNOWN_PAYMENT_SCOPES.includes(s));
  if (scopes.length === 0 || unknown.length > 0) {
    throw new Error(`--scopes takes a comma-separated subset of ${KNOWN_PAYMENT_SCOPES.join(', ')}${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}`);
  }
  if (!opts.client.trim()) throw new Error('--client must not be empty');

  const dataSource = await new DataSource(paymentDataSourceOptions({ ...loadConfig(), DATABASE_POOL_SIZE: 1 })).initialize();
  try {
    if (opts.keyFile && existsSync(opts.keyFile)) {
      const kept = readFileSync(opts.keyFile, 'utf8').trim();
      const client = await authenticateApiKey(dataSource.manager, kept);
      if (client && client.clientId === opts.client && scopes.every((s) => client.scopes.includes(s))) {
        process.stderr.write(`reusing the live API key ${client.keyPrefix} of client ${client.clientId} kept in ${opts.keyFile}\n`);
        process.stdout.write(`${kept}\n`);
        return;
      }
    }
    const created = await createApiKey(dataSource.manager, { clientId: opts.client, name: opts.name ?? `${opts.client} key`, scopes });
    if (opts.keyFile) writeFileSync(opts.keyFile, `${created.key}\n`, { mode: 0o600 });
    process.stderr.write(`created API key ${created.prefix} for client ${opts.client} with scopes ${scopes.join(', ')}; it is shown only this once:\n`);
    process.stdout.write(`${created.key}\n`);
  } finally {
    await dataSource.destroy();
  }
}

program.parse(process.argv);
main(program.opts<Options>()).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`create-api-key failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
