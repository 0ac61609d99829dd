export * from './stack';
export * from './wait-for';
export * from './kafka-tap';
export * from './builders';
export * from './http';
export * from './consumer-lag';
export * from './api-keys';
export * from './decider-spec';
