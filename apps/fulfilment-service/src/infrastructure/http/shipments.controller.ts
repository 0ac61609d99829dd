import { Controller, Get, Query } from '@nestjs/common';
import { ProblemError, RequireScopes } from '@paystate/service-runtime';
import { FindFulfilment, ReservationView, ShipmentView } from '../persistence/fulfilment-queries';
import { FULFILMENT_SCOPES } from './scopes';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkedOrderId(orderId: string | undefined): string {
  if (!orderId || !UUID.test(orderId)) {
    throw ProblemError.of(400, 'validation', 'Your request is not valid', 'orderId is required and must be a UUID', { errors: [{ field: 'orderId', message: 'must be a UUID' }] });
  }
  return orderId;
}

@Controller()
export class ShipmentsController {
  constructor(private readonly find: FindFulfilment) {}

  @Get('shipments')
  @RequireScopes(FULFILMENT_SCOPES.shipmentsRead)
  shipments(@Query('orderId') orderId: string | undefined): Promise<ShipmentView[]> {
    return this.find.shipments(checkedOrderId(orderId));
  }

  @Get('reservations')
  @RequireScopes(FULFILMENT_SCOPES.shipmentsRead)
  reservations(@Query('orderId') orderId: string | undefined): Promise<ReservationView[]> {
    return this.find.reservations(checkedOrderId(orderId));
  }
}
