import type { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';

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

/**
 * A Nest provider that owns a BackgroundLoop for the application's lifetime: started once the
 * application is up, stopped (finishing the run in progress) on shutdown, kicked after a commit that
 * created work for it. Subclasses say what one run does.
 */
export abstract class BackgroundWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly loop: BackgroundLoop;

  protected constructor(name: string, intervalMs: number, logger: Logger) {
    this.loop = new BackgroundLoop(name, () => this.runOnce(), intervalMs, logger);
  }

  /** One unit of work; true when it may have left more to do. */
  protected abstract runOnce(): Promise<boolean>;

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }

  /** Asks for a run now (coalesced with one in progress). */
  kick(): void {
    this.loop.kick();
  }
}
