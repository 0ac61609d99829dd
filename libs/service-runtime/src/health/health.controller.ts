import { Controller, Get, Inject, Logger, Res, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorFunction, HealthIndicatorService } from '@nestjs/terminus';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { BoundedProbe } from './bounded-probe';
import { ConsumerHealthSource } from './consumer-health-source';
import { HEALTH_OPTIONS, HealthOptions } from './health-options';

/** RFC 9745: when GET /health became the deprecated alias of GET /health/ready (2026-12-01). */
const HEALTH_ALIAS_DEPRECATED_AT = '@1796083200';

/**
 * GET /health/live: the process is alive and its event loop turns. It checks no dependency, so an
 * orchestrator never restarts a healthy process because the database or the broker is down; it
 * fails only when the process cannot recover by itself (its consumer crashed and kafkajs will not
 * restart it).
 *
 * GET /health/ready: the database answers within the timeout (through the service's own pool, so
 * an exhausted pool counts) and the Kafka consumer is in its group and heard from. 503 otherwise,
 * with terminus' report of each check in the body.
 *
 * GET /health: the deprecated alias of /health/ready (Deprecation and Link headers), for callers
 * outside this repository during the deprecation period.
 */
@Controller('health')
export class HealthController {
  private readonly log = new Logger('Health');
  private readonly database: BoundedProbe;
  private lastReady: boolean | undefined;

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    @Inject(DataSource) dataSource: DataSource,
    private readonly consumers: ConsumerHealthSource,
    @Inject(HEALTH_OPTIONS) options: HealthOptions,
  ) {
    this.database = new BoundedProbe(() => dataSource.query('SELECT 1'), options.databaseTimeoutMs);
  }

  @Get('live')
  @HealthCheck()
  async live(@Res() res: Response): Promise<void> {
    send(res, await this.run([() => this.eventLoop(), ...(this.consumers.tracked ? [() => this.consumerAlive()] : [])]));
  }

  @Get('ready')
  @HealthCheck()
  async ready(@Res() res: Response): Promise<void> {
    const report = await this.run([() => this.databaseAnswers(), ...(this.consumers.tracked ? [() => this.consumerInGroup()] : [])]);
    const ready = report.status === 'ok';
    if (ready !== this.lastReady) {
      // one line per change, not per poll: the log says when and why readiness moved
      if (ready) this.log.log('ready');
      else this.log.warn(`not ready: ${JSON.stringify(report.error ?? {})}`);
      this.lastReady = ready;
    }
    send(res, report);
  }

  @Get()
  @HealthCheck()
  async deprecatedAlias(@Res() res: Response): Promise<void> {
    res.setHeader('Deprecation', HEALTH_ALIAS_DEPRECATED_AT);
    res.setHeader('Link', '</health/ready>; rel="successor-version", </health/live>; rel="alternate"');
    await this.ready(res);
  }

  /** terminus throws its 503 report; the problem+json filter would replace it, so it is sent as is. */
  private async run(indicators: HealthIndicatorFunction[]): Promise<HealthCheckResult> {
    try {
      return await this.health.check(indicators);
    } catch (error) {
      if (error instanceof ServiceUnavailableException) return error.getResponse() as HealthCheckResult;
      throw error;
    }
  }

  private async eventLoop() {
    const started = performance.now();
    await new Promise<void>((resolve) => setImmediate(resolve));
    return this.indicator.check('eventLoop').up({ turnMs: Math.round((performance.now() - started) * 10) / 10 });
  }

  private consumerAlive() {
    const check = this.indicator.check('kafkaConsumer');
    const consumer = this.consumers.current();
    // not attached (starting, or shut down) is no reason to restart the process
    if (!consumer) return check.up({ phase: 'detached' });
    return consumer.failed ? check.down({ phase: consumer.state.phase, message: consumer.readiness().reason }) : check.up({ phase: consumer.state.phase });
  }

  private async databaseAnswers() {
    const check = this.indicator.check('database');
    const outcome = await this.database.check();
    return outcome.ok ? check.up({ ms: outcome.ms }) : check.down({ ms: outcome.ms, message: outcome.reason });
  }

  private consumerInGroup() {
    const check = this.indicator.check('kafkaConsumer');
    const consumer = this.consumers.current();
    if (!consumer) return check.down({ phase: 'detached', message: 'the consumer is not attached' });
    const { ready, reason } = consumer.readiness();
    const details = { phase: consumer.state.phase, message: reason };
    return ready ? check.up(details) : check.down(details);
  }
}

function send(res: Response, report: HealthCheckResult): void {
  res.status(report.status === 'ok' ? 200 : 503).json(report);
}
