import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { BackgroundWorker } from '../background-loop';
import type { IdempotencyClaim, IdempotentResponse } from '../idempotency';
import type { StuckPolicy } from './stuck-decider';
import { StuckSource, runStuckMonitor } from './stuck-monitor';
import { AcknowledgeResult, StuckDetail, StuckView, acknowledgeStuck, openStuckReports, stuckView } from './stuck-reports';
import type { StuckRow } from './stuck-store';

/** What a service tells the generic monitor: its name, its subjects, its SLAs, and where it finds them. */
export interface StuckMonitorDefinition {
  /** The service the reports and the ids of their events carry. */
  service: string;
  /** What a subject is, for the logs ("order", "payment"): logged as `<subject>Id`. */
  subject: string;
  source: StuckSource;
  policy: StuckPolicy;
  intervalMs: number;
  /** The stage's SLA now (null when the stage has none configured any more). */
  slaOf(stage: string): number | null;
  /** How often the awaited step of each listed report was tried and its last error, where the service knows them. */
  details(manager: EntityManager, rows: readonly StuckRow[], now: Date): Promise<(row: StuckRow) => StuckDetail>;
}

/** What the acknowledgement endpoint passes on: the claimed key and how a result becomes the stored answer. */
export interface AcknowledgeIdempotency {
  claim: IdempotencyClaim;
  respond: (result: AcknowledgeResult) => IdempotentResponse;
}

/**
 * A service's saga monitor (SPEC §8, ADR 0017): every interval one `runStuckMonitor` look (each new
 * crossing reported once, with its event, whatever the number of instances; the reports of subjects
 * that moved on resolved; the gauge set), plus the operator's list and acknowledgement behind
 * `GET /sagas/stuck` and `POST /sagas/:orderId/acknowledge` (stuckSagasController). A service
 * subclasses it as a Nest provider and gives only what is its own: its stages and SLAs, its query,
 * its event.
 */
export abstract class StuckSagaMonitor extends BackgroundWorker {
  private readonly log: Logger;

  protected constructor(
    private readonly dataSource: DataSource,
    private readonly definition: StuckMonitorDefinition,
    name: string,
  ) {
    const logger = new Logger(name);
    super(`the ${definition.subject} monitor`, definition.intervalMs, logger);
    this.log = logger;
  }

  protected async runOnce(): Promise<boolean> {
    const { service, source, policy, subject } = this.definition;
    const outcome = await runStuckMonitor(this.dataSource, service, source, policy);
    for (const r of outcome.reported) this.log.warn({ [`${subject}Id`]: r.subjectId, stage: r.stage, level: r.level, eventId: r.eventId }, `${subject} stuck past its SLA`);
    if (outcome.resolved > 0) this.log.log({ resolved: outcome.resolved }, `stuck ${subject}s moved on`);
    return false;
  }

  /** The open reports (unacknowledged only unless asked), with their age against the SLA and what the service knows of the awaited step. */
  async list(includeAcknowledged: boolean, now = new Date()): Promise<StuckView[]> {
    const rows = await openStuckReports(this.dataSource.manager, includeAcknowledged);
    const detailOf = await this.definition.details(this.dataSource.manager, rows, now);
    return rows.map((r) => stuckView(this.definition.service, r, now, this.definition.slaOf(r.stage), detailOf(r)));
  }

  acknowledge(orderId: string, by: string, note: string, idempotency: AcknowledgeIdempotency): Promise<IdempotentResponse> {
    return acknowledgeStuck(this.dataSource, orderId, by, note, this.definition.source.stages, idempotency);
  }
}
