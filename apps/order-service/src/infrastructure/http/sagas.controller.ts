import { Controller } from '@nestjs/common';
import { stuckSagasController } from '@paystate/service-runtime';
import { SagaMonitor } from '../../application/monitor/saga-monitor';
import { ORDER_SCOPES } from './scopes';

/**
 * The saga monitor's operator API (SPEC §8): `GET /sagas/stuck`, the stuck sagas, and
 * `POST /sagas/:orderId/acknowledge`, an operator's acknowledgement (not reported again for this
 * crossing; idempotent). Both need `sagas:operate`; the endpoints are the shared ones of
 * libs/service-runtime (stuckSagasController), over this service's SagaMonitor.
 */
@Controller('sagas')
export class SagasController extends stuckSagasController(SagaMonitor, ORDER_SCOPES.operateSagas) {}
