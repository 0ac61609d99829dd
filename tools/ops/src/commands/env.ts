import type { CommandModule } from '../command';
import { redactedUrl } from '../clients/database';
import { table } from '../output';

/** `ops env`: which stack ops is pointed at, and where each setting came from. */
export const envCommands: CommandModule = (program, action) => {
  program
    .command('env')
    .description('show the stack ops acts on: brokers, Connect, PostgreSQL and each service (passwords and keys hidden)')
    .action(
      action(async (ctx) => {
        const s = ctx.settings;
        const data = {
          profile: s.profile,
          source: s.source,
          kafkaBrokers: s.kafkaBrokers,
          connectUrl: s.connectUrl,
          postgres: redactedUrl(s.pgSuperuserUrl),
          services: Object.values(s.services).map((svc) => ({
            name: svc.name,
            url: svc.url,
            database: redactedUrl(svc.databaseUrl),
            group: svc.group ?? null,
            consumes: svc.consumes,
            connector: svc.connector ?? null,
            apiKey: svc.apiKey ? 'set' : 'not set',
          })),
        };
        ctx.out.result(data, (d) =>
          [
            `profile ${d.profile} (from ${d.source})`,
            `kafka    ${d.kafkaBrokers.join(',')}`,
            `connect  ${d.connectUrl}`,
            `postgres ${d.postgres}`,
            '',
            table(
              ['service', 'url', 'database', 'group', 'consumes', 'connector', 'api key'],
              d.services.map((x) => [x.name, x.url, x.database, x.group ?? '-', x.consumes.join(',') || '-', x.connector ?? '-', x.apiKey]),
            ),
          ].join('\n'),
        );
      }),
    );
};
