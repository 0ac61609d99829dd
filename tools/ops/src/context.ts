import * as os from 'node:os';
import { createInterface } from 'node:readline/promises';
import type { Admin } from 'kafkajs';
import { AuditLog } from './audit';
import { ConnectClient } from './clients/connect';
import { withClient, withDatabase } from './clients/database';
import { connectAdmin } from './clients/kafka';
import type { Client } from 'pg';
import { OpsError, EXIT, refused, describe } from './errors';
import { Output } from './output';
import { OpsSettings, ServiceSettings, SettingsFlags, resolveSettings, serviceOf } from './settings';

/** The global flags every command takes (see main.ts). */
export interface GlobalFlags extends SettingsFlags {
  json?: boolean;
  yes?: boolean;
  input?: boolean;
  actor?: string;
}

/** Flags of a dangerous command: a dry run unless --execute, which needs a reason. */
export interface DangerFlags {
  execute?: boolean;
  dryRun?: boolean;
  reason?: string;
}

/**
 * What a command works with: settings, output, and clients opened on first use and closed by
 * `close()` (main.ts calls it however the command ends).
 */
export class OpsContext {
  readonly settings: OpsSettings;
  readonly out: Output;
  readonly connect: ConnectClient;
  readonly audit: AuditLog;
  private admin?: Promise<Admin>;

  constructor(readonly flags: GlobalFlags, env: Record<string, string | undefined> = process.env) {
    this.settings = resolveSettings(flags, env);
    this.out = new Output(flags.json === true);
    this.connect = new ConnectClient(this.settings.connectUrl);
    this.audit = new AuditLog(this.settings.pgSuperuserUrl);
  }

  get actor(): string {
    return this.flags.actor ?? process.env['PAYSTATE_OPS_ACTOR'] ?? `${os.userInfo().username}@${os.hostname()}`;
  }

  /** The kafkajs admin client (one per run). */
  kafka(): Promise<Admin> {
    this.admin ??= connectAdmin(this.settings.kafkaBrokers);
    return this.admin;
  }

  service(name: string): ServiceSettings {
    return serviceOf(this.settings, name);
  }

  /** One connection to a service's database, as the service's own role. */
  withServiceDb<T>(service: string, work: (client: Client) => Promise<T>): Promise<T> {
    return withClient(this.service(service).databaseUrl, work);
  }

  /** One superuser connection to `database` (slots, publications, restores). */
  withSuperuser<T>(database: string, work: (client: Client) => Promise<T>): Promise<T> {
    return withClient(withDatabase(this.settings.pgSuperuserUrl, database), work);
  }

  /**
   * The gate of every command that changes something. Without --execute it prints `plan` and
   * returns false (a dry run, exit 0). With --execute it needs --reason, asks for confirmation
   * (answered by --yes; refused under --no-input without --yes), writes the audit row, runs `act`
   * and completes the row with its result or error. `act` gets the audit row's id (e.g. to derive
   * an Idempotency-Key from, so a re-run of the same audited command cannot act twice).
   */
  async dangerous<T>(
    command: string,
    danger: DangerFlags,
    args: Record<string, unknown>,
    plan: { summary: string; detail: unknown },
    act: (auditId: string) => Promise<T>,
  ): Promise<{ executed: false } | { executed: true; result: T; auditId: string }> {
    if (!danger.execute || danger.dryRun) {
      this.out.info(`dry run: ${plan.summary}\nnothing was changed; run again with --execute --reason "<why>" to do it`);
      return { executed: false };
    }
    if (!danger.reason || danger.reason.trim() === '') throw new OpsError(EXIT.usage, `${command} --execute needs --reason "<why>" (it is written to the audit log)`);
    if (!this.flags.yes) {
      if (this.flags.input === false || !process.stdin.isTTY) throw refused(`${command}: not confirmed`, 'pass --yes to confirm without a prompt (scripts: --yes --no-input)');
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      const answer = await rl.question(`${plan.summary}\nProceed? [y/N] `);
      rl.close();
      if (!/^y(es)?$/i.test(answer.trim())) throw refused(`${command}: not confirmed by the operator`);
    }
    const auditId = await this.audit.start({ command, actor: this.actor, reason: danger.reason, args, plan: plan.detail });
    try {
      const result = await act(auditId);
      await this.audit.finish(auditId, 'succeeded', result);
      return { executed: true, result, auditId };
    } catch (error) {
      await this.audit.finish(auditId, 'failed', { error: describe(error) }).catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    if (this.admin) await (await this.admin.catch(() => undefined))?.disconnect().catch(() => undefined);
  }
}
