export * from './stuck-decider';
export * from './stuck-store';
export * from './stuck-schema';
export * from './stuck-monitor';
export * from './stuck-saga-monitor';
export * from './stuck-reports';
export * from './stuck-http';
export * from './stuck-controller';
