import { Controller } from '@nestjs/common';
import { stuckSagasController } from '@paystate/service-runtime';
import { PaymentMonitor } from '../../application/monitor/payment-monitor';
import { PAYMENT_SCOPES } from './scopes';

/**
 * payment-service's part of the saga monitor's operator API (SPEC §8): `GET /sagas/stuck`, its
 * stuck payments (keyed by order, like order-service's), and `POST /sagas/:orderId/acknowledge`,
 * an operator's acknowledgement. Both need `sagas:operate`; the endpoints are the shared ones of
 * libs/service-runtime (stuckSagasController), over this service's PaymentMonitor.
 */
@Controller('sagas')
export class SagasController extends stuckSagasController(PaymentMonitor, PAYMENT_SCOPES.operateSagas) {}
