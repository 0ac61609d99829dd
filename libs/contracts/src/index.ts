export * from './contract';
export * from './money';
export * from './catalogue';
export * from './events/order-placed.v1';
export * from './events/dead-letter.v1';
export * from './events/payment-events.v1';
export * from './events/fulfilment-events.v1';
export * from './asyncapi';
