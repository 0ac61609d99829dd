import { Injectable } from '@nestjs/common';
import { NORMAL_DELIVERY, WebhookMode } from '../../domain/webhook-event';

/**
 * The delivery mode tests switch on through POST /admin/webhooks/mode. In memory, per process: a
 * restart goes back to normal delivery (events already held are still released).
 */
@Injectable()
export class WebhookModeSetting {
  private mode: WebhookMode = NORMAL_DELIVERY;

  get current(): WebhookMode {
    return this.mode;
  }

  set(mode: WebhookMode): WebhookMode {
    this.mode = { ...mode };
    return this.mode;
  }
}
