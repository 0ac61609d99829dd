import type { Admin } from 'kafkajs';
import type { OpsContext } from '../context';
import { refused, unavailable } from '../errors';
import type { ServiceSettings } from '../settings';
import { roleOf } from './names';

export interface RunningEvidence {
  /** Members of the service's consumer group (client id @ host). */
  members: string[];
  /** Sessions of the service's database role (pid, application name). */
  sessions: string[];
}

/** What shows the service is running: its group has members, or its role has sessions in pg_stat_activity. */
export async function runningEvidence(ctx: OpsContext, svc: ServiceSettings): Promise<RunningEvidence> {
  const members: string[] = [];
  if (svc.group) {
    const admin: Admin = await ctx.kafka();
    let described;
    try {
      described = await admin.describeGroups([svc.group]);
    } catch (error) {
      throw unavailable(`Kafka (${ctx.settings.kafkaBrokers.join(',')})`, error);
    }
    for (const g of described.groups) for (const m of g.members) members.push(`${m.clientId}@${m.clientHost}`);
  }
  const sessions = await ctx.withSuperuser('postgres', async (c) =>
    (
      await c.query<{ pid: number; application_name: string }>(
        `SELECT pid, application_name FROM pg_stat_activity
          WHERE usename = $1 AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
        [roleOf(svc)],
      )
    ).rows.map((r) => `pid ${r.pid}${r.application_name ? ` (${r.application_name})` : ''}`),
  );
  return { members, sessions };
}

/** Refuses (77) while the service runs; never stops it. */
export async function assertStopped(ctx: OpsContext, svc: ServiceSettings, what: string): Promise<void> {
  const evidence = await runningEvidence(ctx, svc);
  if (evidence.members.length === 0 && evidence.sessions.length === 0) return;
  const parts = [
    evidence.members.length ? `its consumer group ${svc.group} has ${evidence.members.length} member(s): ${evidence.members.join(', ')}` : '',
    evidence.sessions.length ? `its database role ${roleOf(svc)} has ${evidence.sessions.length} session(s): ${evidence.sessions.join(', ')}` : '',
  ].filter(Boolean);
  throw refused(`${what}: ${svc.name} is running (${parts.join('; ')})`, `stop ${svc.name} first (every instance); ops never stops it for you`, evidence);
}
