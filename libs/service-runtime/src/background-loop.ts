import type { Logger } from '@nestjs/common';

/**
 * Runs a unit of background work at start, every interval and whenever kicked, never twice at once:
 * a kick during a run asks for one more run after it. The work returns true when it may have left
 * more to do. Errors are logged; the next tick tries again (the work is idempotent).
 */
export class BackgroundLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly name: string,
    private readonly work: () => Promise<boolean>,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.kick();
    this.timer = setInterval(() => this.kick(), this.intervalMs);
  }

  /** Finishes the run in progress and stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.runUntilIdle().finally(() => {
      this.running = undefined;
    });
  }

  private async runUntilIdle(): Promise<void> {
    do {
      this.again = false;
      try {
        if (await this.work()) this.again = true;
      } catch (error) {
        this.logger.error({ err: error }, `${this.name} failed; it runs again at the next tick`);
      }
    } while (this.again && !this.stopped);
  }
}
