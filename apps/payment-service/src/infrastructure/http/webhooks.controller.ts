import { Controller, Headers, HttpCode, Inject, Logger, Post, Req } from '@nestjs/common';
import type { RawBodyRequest } from '@nestjs/common';
import type { Request } from 'express';
import { ProblemError, PublicEndpoint } from '@paystate/service-runtime';
import { ProcessorWebhooks, processorWebhookSchema } from '../../application/webhooks/processor-webhooks';
import { WEBHOOK_SETTINGS, WebhookSettings } from './webhook-settings';
import { verifyWebhookSignature } from './webhook-signature';

/**
 * POST /webhooks/processor: authenticated by signature, not by API key. Verify → store → 200.
 * Nothing is applied here; a failure to store answers 5xx so the processor delivers again.
 */
@Controller('webhooks')
@PublicEndpoint()
export class WebhooksController {
  private readonly logger = new Logger(WebhooksController.name);

  constructor(
    private readonly webhooks: ProcessorWebhooks,
    @Inject(WEBHOOK_SETTINGS) private readonly settings: WebhookSettings,
  ) {}

  @Post('processor')
  @HttpCode(200)
  async receive(@Req() req: RawBodyRequest<Request>, @Headers('processor-signature') signature: string | undefined): Promise<{ received: true; duplicate: boolean }> {
    const raw = req.rawBody ?? Buffer.alloc(0);
    const now = new Date();
    const check = verifyWebhookSignature(signature, raw, this.settings.secrets, Math.floor(now.getTime() / 1000), this.settings.toleranceSeconds);
    if (!check.ok) {
      this.logger.warn({ reason: check.reason }, 'webhook refused');
      throw ProblemError.of(400, 'invalid-webhook-signature', 'Invalid webhook signature', check.reason);
    }
    const parsed = processorWebhookSchema.safeParse(req.body);
    if (!parsed.success) {
      throw ProblemError.of(400, 'invalid-webhook', 'Invalid webhook body', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    }
    let stored: boolean;
    try {
      stored = await this.webhooks.receive(parsed.data, now);
    } catch (error) {
      this.logger.error({ err: error, webhookId: parsed.data.id }, 'could not store the webhook');
      throw ProblemError.of(503, 'webhook-not-stored', 'Webhook not stored', 'Deliver it again later.');
    }
    return { received: true, duplicate: !stored };
  }
}
