import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { DataSource, DataSourceOptions } from 'typeorm';
import { authenticateApiKey, createApiKey } from './api-key.store';

/**
 * The `create-api-key` command every service with an API ships (apps/<service>/src/cli): creates an
 * API key for a client and prints it once, alone on stdout, so it can be captured:
 * KEY=$(node apps/<service>/dist/src/cli/create-api-key.js --client … --scopes …).
 * Only its SHA-256 is stored; a lost key is replaced, not recovered.
 *
 * --key-file: for the dev stack: reuse the key kept in that file while it is still live (same
 * client, every scope asked for), otherwise create one and write it there (mode 0600).
 */
export interface CreateApiKeyCli {
  serviceName: string;
  knownScopes: readonly string[];
  /** The service's data source, from its own validated config (DATABASE_URL says where). */
  dataSourceOptions: () => DataSourceOptions;
}

interface Options {
  client: string;
  scopes: string;
  name?: string;
  keyFile?: string;
}

export function runCreateApiKeyCli(cli: CreateApiKeyCli, argv: string[] = process.argv): void {
  const program = new Command('create-api-key')
    .description(`Create a ${cli.serviceName} API key; prints it once (only its hash is stored)`)
    .requiredOption('--client <id>', 'the client id the key authenticates (the scope of its idempotency keys)')
    .requiredOption('--scopes <list>', `comma-separated scopes (${cli.knownScopes.join(', ')})`)
    .option('--name <name>', 'what the key is for, shown to operators')
    .option('--key-file <path>', 'reuse the live key kept in this file, or write the new key there')
    .showHelpAfterError();
  program.parse(argv);
  createKey(cli, program.opts<Options>()).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`create-api-key failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}

async function createKey(cli: CreateApiKeyCli, opts: Options): Promise<void> {
  const scopes = [...new Set(opts.scopes.split(',').map((s) => s.trim()).filter(Boolean))];
  const unknown = scopes.filter((s) => !cli.knownScopes.includes(s));
  if (scopes.length === 0 || unknown.length > 0) {
    throw new Error(`--scopes takes a comma-separated subset of ${cli.knownScopes.join(', ')}${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}`);
  }
  if (!opts.client.trim()) throw new Error('--client must not be empty');

  const dataSource = await new DataSource(cli.dataSourceOptions()).initialize();
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
