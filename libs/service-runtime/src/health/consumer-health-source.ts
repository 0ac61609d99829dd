import { Injectable } from '@nestjs/common';
import type { ConsumerHealth } from '@paystate/messaging';

/**
 * Where the health checks find the service's Kafka consumer: startService registers it once the
 * consumer is attached. A service without a consumer (processor-sim) registers none, and its
 * checks leave the consumer out.
 */
@Injectable()
export class ConsumerHealthSource {
  private source: (() => ConsumerHealth | undefined) | undefined;

  /** `current` is asked at every check: undefined means the consumer is not (or no longer) attached. */
  track(current: () => ConsumerHealth | undefined): void {
    this.source = current;
  }

  /** False: this service has no consumer. */
  get tracked(): boolean {
    return this.source !== undefined;
  }

  current(): ConsumerHealth | undefined {
    return this.source?.();
  }
}
