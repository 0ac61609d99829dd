import { asEslintRule, ruleTester } from '../rule-tester';
import { consumerControllerOnlyOnEvent } from './consumer-controller-only-on-event';

const CONSUMER = 'apps/ledger-service/src/infrastructure/messaging/payment-events.consumer.ts';

const IMPORTS = `
import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { PaymentCapturedV1, PaymentRefundedV1 } from '@paystate/contracts';
import { ConsumedEvent, HandlerContext, OnEvent } from '@paystate/messaging';
`;

/** A consumer controller as the services write it, with `extra` added to its body. */
const consumer = (extra = '', imports = IMPORTS): string => `${imports}
@Controller()
export class PaymentEventsConsumer {
  constructor(private readonly capture: PostCaptureJournal, private readonly refund: PostRefundReversal) {}

  @OnEvent(PaymentCapturedV1)
  onPaymentCaptured(@Payload() event: ConsumedEvent<PaymentCapturedV1>, @Ctx() ctx: HandlerContext): Promise<void> {
    return this.capture.handle(event, ctx);
  }
${extra}
}
`;

ruleTester.run('consumer-controller-only-on-event', asEslintRule(consumerControllerOnlyOnEvent), {
  valid: [
    { name: 'constructor and @OnEvent handlers', filename: CONSUMER, code: consumer() },
    {
      name: 'a handler that maps the contract to the use case’s input (anti-corruption, acceptable in the adapter)',
      filename: CONSUMER,
      code: consumer(`
  @OnEvent(PaymentRefundedV1)
  onPaymentRefunded(@Payload() e: ConsumedEvent<PaymentRefundedV1>, @Ctx() ctx: HandlerContext): Promise<void> {
    const detail = e.payload.code ? \`\${e.payload.detail} (\${e.payload.code})\` : e.payload.detail;
    return this.refund.handle({ ...e, detail }, ctx);
  }`),
    },
    {
      name: 'OnEvent imported under an alias',
      filename: CONSUMER,
      code: `
import { Controller } from '@nestjs/common';
import { OnEvent as On } from '@paystate/messaging';
@Controller()
export class C {
  constructor(private readonly s: S) {}
  @On(PaymentCapturedV1) onPaymentCaptured(e: E, ctx: H) { return this.s.handle(e, ctx); }
}`,
    },
    {
      name: 'OnEvent through a namespace import',
      filename: CONSUMER,
      code: `
import * as messaging from '@paystate/messaging';
export class C {
  @messaging.OnEvent(PaymentCapturedV1) onPaymentCaptured(e: E, ctx: H) { return this.s.handle(e, ctx); }
}`,
    },
    {
      name: 'OnEvent from the Nest-only entry of the messaging lib',
      filename: CONSUMER,
      code: `
import { OnEvent } from '@paystate/messaging/nest';
export class C { @OnEvent(PaymentCapturedV1) onPaymentCaptured(e: E, ctx: H) { return this.s.handle(e, ctx); } }`,
    },
    {
      name: 'an index signature holds no logic',
      filename: CONSUMER,
      code: consumer(`
  [key: string]: unknown;`),
    },
    {
      name: 'an overload signature has no body: its decorated implementation is the handler',
      filename: CONSUMER,
      code: consumer(`
  onPaymentRefunded(event: ConsumedEvent<PaymentRefundedV1>, ctx: HandlerContext): Promise<void>;
  @OnEvent(PaymentRefundedV1)
  onPaymentRefunded(@Payload() event: ConsumedEvent<PaymentRefundedV1>, @Ctx() ctx: HandlerContext): Promise<void> {
    return this.refund.handle(event, ctx);
  }`),
    },
    {
      name: 'an HTTP controller is not a consumer: its helpers are not this rule’s business',
      filename: 'apps/order-service/src/infrastructure/http/orders.controller.ts',
      code: `
import { Controller, Get } from '@nestjs/common';
@Controller('orders')
export class OrdersController {
  private readonly limit = 50;
  @Get() list() { return this.page(this.limit); }
  private page(n: number) { return n; }
}`,
    },
    {
      name: 'another library’s OnEvent outside a consumer file is not a Kafka handler',
      filename: 'apps/notification-service/src/application/local-events.ts',
      code: `
import { OnEvent } from '@nestjs/event-emitter';
export class LocalListener { @OnEvent('x') onX() {} helper() {} }`,
    },
  ],
  invalid: [
    {
      name: 'a private helper method',
      filename: CONSUMER,
      code: consumer(`
  private describe(event: ConsumedEvent<PaymentCapturedV1>): string {
    return event.type + ' ' + event.id;
  }`),
      errors: [
        {
          message:
            "'describe' is not an @OnEvent handler. A consumer controller only routes each event to the application layer: " +
            'move this logic into a use case under application/ and call it from the handler, or, if it handles an event, ' +
            'decorate it with @OnEvent(Contract) from @paystate/messaging.',
        },
      ],
    },
    {
      name: 'a handler that lost its decorator',
      filename: CONSUMER,
      code: consumer(`
  onPaymentRefunded(@Payload() event: ConsumedEvent<PaymentRefundedV1>, @Ctx() ctx: HandlerContext): Promise<void> {
    return this.refund.handle(event, ctx);
  }`),
      errors: [{ messageId: 'notAHandler', data: { name: 'onPaymentRefunded' } }],
    },
    {
      name: 'a property holding logic',
      filename: CONSUMER,
      code: consumer(`
  private readonly toCommand = (e: ConsumedEvent<PaymentCapturedV1>) => ({ orderId: e.payload.orderId });`),
      errors: [{ messageId: 'property', data: { name: 'toCommand' } }],
    },
    {
      name: 'a property holding state',
      filename: CONSUMER,
      code: consumer(`
  private seen = 0;
  accessor last: string | undefined;`),
      errors: [
        { messageId: 'property', data: { name: 'seen' } },
        { messageId: 'property', data: { name: 'last' } },
      ],
    },
    {
      name: 'getters, quoted and computed names, static and #private methods, static blocks',
      filename: CONSUMER,
      code: consumer(`
  get name(): string { return 'ledger'; }
  'quoted'(): void {}
  [Symbol.iterator](): void {}
  static create(): PaymentEventsConsumer { throw new Error('no'); }
  @OnEvent(PaymentRefundedV1) static onRefunded(): void {}
  #helper(): void {}
  static { void 0; }`),
      errors: [
        { messageId: 'notAHandler', data: { name: 'name' } },
        { messageId: 'notAHandler', data: { name: 'quoted' } },
        { messageId: 'notAHandler', data: { name: '[Symbol.iterator]' } },
        { messageId: 'notAHandler', data: { name: 'create' } },
        { messageId: 'notAHandler', data: { name: 'onRefunded' } },
        { messageId: 'notAHandler', data: { name: '#helper' } },
        { messageId: 'staticBlock' },
      ],
    },
    {
      name: 'an OnEvent that is not the messaging lib’s (declared locally, or another library’s)',
      filename: CONSUMER,
      code: `
import { OnEvent as NestOnEvent } from '@nestjs/event-emitter';
import * as emitter from '@nestjs/event-emitter';
const OnEvent = (_: unknown): MethodDecorator => () => undefined;
export class C {
  @OnEvent(PaymentCapturedV1) onPaymentCaptured() {}
  @NestOnEvent('x') onX() {}
  @emitter.OnEvent('y') onY() {}
}`,
      errors: [
        { messageId: 'notAHandler', data: { name: 'onPaymentCaptured' } },
        { messageId: 'notAHandler', data: { name: 'onX' } },
        { messageId: 'notAHandler', data: { name: 'onY' } },
      ],
    },
    {
      name: 'every class of a consumer file is a consumer controller, class expressions included',
      filename: CONSUMER,
      code: `${consumer()}
class Formatter { format(): string { return ''; } }
export const Other = class { build(): void {} };`,
      errors: [
        { messageId: 'notAHandler', data: { name: 'format' } },
        { messageId: 'notAHandler', data: { name: 'build' } },
      ],
    },
    {
      name: 'an @OnEvent handler outside infrastructure/messaging/*.consumer.ts',
      filename: 'apps/payment-service/src/application/order-placed/initiate-payment.ts',
      code: `
import { OnEvent } from '@paystate/messaging';
export class InitiatePayment { @OnEvent(OrderPlacedV1) onOrderPlaced(e: E, ctx: H) { return this.handle(e, ctx); } }`,
      errors: [{ messageId: 'misplaced' }],
    },
    {
      name: 'a consumer file name outside infrastructure/messaging',
      filename: 'apps/payment-service/src/application/order-events.consumer.ts',
      code: `
import { OnEvent } from '@paystate/messaging';
export class C { @OnEvent(OrderPlacedV1) onOrderPlaced(e: E, ctx: H) { return this.s.handle(e, ctx); } }`,
      errors: [{ messageId: 'misplaced' }],
    },
    {
      name: 'an HTTP controller that grew an @OnEvent handler: misplaced, and its other methods are not handlers',
      filename: 'apps/order-service/src/infrastructure/http/orders.controller.ts',
      code: `
import { Controller, Get } from '@nestjs/common';
import { OnEvent } from '@paystate/messaging';
@Controller('orders')
export class OrdersController {
  @Get() list() { return []; }
  @OnEvent(PaymentCapturedV1) onPaymentCaptured(e: E, ctx: H) { return this.s.handle(e, ctx); }
}`,
      errors: [{ messageId: 'notAHandler', data: { name: 'list' } }, { messageId: 'misplaced' }],
    },
  ],
});
