import { existsSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CommandModule } from '../command';
import { withDatabase } from '../clients/database';
import { usageError } from '../errors';
import { BackupSidecar, sha256, sidecarPath } from '../recovery/backup-file';
import { findPgTools, runTool } from '../recovery/pg-tools';

/** `ops backup <service> --out FILE`: a custom-format pg_dump of the service's database, and its sidecar. */
export const backupCommands: CommandModule = (program, action) => {
  program
    .command('backup')
    .description("dump a service's database (pg_dump custom format, as the superuser) to FILE, with FILE.json {service, database, takenAt, pgVersion}")
    .argument('<service>', 'the service whose database to dump (e.g. ledger-service or ledger)')
    .requiredOption('--out <file>', 'where to write the dump (refused if it exists, unless --force)')
    .option('--force', 'overwrite FILE and FILE.json')
    .action(
      action(async (ctx, service: string, opts: { out: string; force?: boolean }) => {
        const svc = ctx.service(service);
        const file = path.resolve(opts.out);
        if (existsSync(file) && !opts.force) throw usageError(`${file} exists`, 'name another file, or pass --force to overwrite it');
        if (!existsSync(path.dirname(file))) throw usageError(`${path.dirname(file)} does not exist`);
        const tools = findPgTools(ctx.settings.profile);
        const started = Date.now();
        // the server's time at the start: every transaction committed before it is in the dump
        const { takenAt, pgVersion } = await ctx.withSuperuser(svc.database, async (c) => {
          const r = (await c.query<{ now: Date; version: string }>(`SELECT now() AS now, current_setting('server_version') AS version`)).rows[0]!;
          return { takenAt: r.now, pgVersion: r.version };
        });
        const tmp = `${file}.${process.pid}.partial`;
        try {
          await runTool(tools.pgDump, ['--format=custom', `--file=${tmp}`, `--dbname=${withDatabase(ctx.settings.pgSuperuserUrl, svc.database)}`], tools.source);
          renameSync(tmp, file);
        } finally {
          rmSync(tmp, { force: true });
        }
        const sidecar: BackupSidecar = { service: svc.name, database: svc.database, takenAt: takenAt.toISOString(), pgVersion };
        writeFileSync(sidecarPath(file), `${JSON.stringify(sidecar, null, 2)}\n`);
        const result = { ...sidecar, file, sidecar: sidecarPath(file), bytes: statSync(file).size, sha256: await sha256(file), tools: tools.source, seconds: (Date.now() - started) / 1000 };
        ctx.out.result(result, (r) => `${r.service}: ${r.database} dumped to ${r.file} (${r.bytes} bytes, taken at ${r.takenAt}, PostgreSQL ${r.pgVersion}) in ${r.seconds.toFixed(1)} s\nsidecar ${r.sidecar}`);
      }),
    );
};
