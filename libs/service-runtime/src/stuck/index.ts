export * from './stuck-decider';
export * from './stuck-store';
export * from './stuck-monitor';
export * from './stuck-reports';
export * from './stuck-http';
