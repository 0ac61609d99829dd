import { Controller, Get, Inject, Injectable } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';

/** Whether the service's consumers are in their group; set by the messaging wiring. */
@Injectable()
export class ConsumerReadiness {
  private ready = false;
  markReady(): void {
    this.ready = true;
  }
  markStopped(): void {
    this.ready = false;
  }
  get isReady(): boolean {
    return this.ready;
  }
}

/** GET /health: liveness and readiness (database reachable, consumer running). 503 when not ready. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly consumer: ConsumerReadiness,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      async () => {
        const db = this.indicator.check('database');
        try {
          await this.dataSource.query('SELECT 1');
          return db.up();
        } catch (error) {
          return db.down({ message: error instanceof Error ? error.message : String(error) });
        }
      },
      async () => {
        const consumer = this.indicator.check('kafkaConsumer');
        return this.consumer.isReady ? consumer.up() : consumer.down({ message: 'not consuming' });
      },
    ]);
  }
}
