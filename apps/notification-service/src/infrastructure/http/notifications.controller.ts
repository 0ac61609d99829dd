import { Controller, Get, Query } from '@nestjs/common';
import { ProblemError, RequireScopes } from '@paystate/service-runtime';
import { FindNotificationsQuery, NotificationView } from '../persistence/notification-queries';
import { NOTIFICATION_SCOPES } from './scopes';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Controller('notifications')
export class NotificationsController {
  constructor(private readonly notifications: FindNotificationsQuery) {}

  /** What the customer of an order was told, oldest first (waiting, pending, sent and failed alike). */
  @Get()
  @RequireScopes(NOTIFICATION_SCOPES.read)
  async list(@Query('orderId') orderId: string | undefined): Promise<NotificationView[]> {
    if (!orderId || !UUID.test(orderId)) {
      throw ProblemError.of(400, 'validation', 'Your request is not valid', 'orderId is required and must be a UUID', {
        errors: [{ field: 'orderId', message: 'must be a UUID' }],
      });
    }
    return this.notifications.byOrder(orderId);
  }
}
