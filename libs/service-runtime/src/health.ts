// GET /health/live and /health/ready; the parts live in health/ (a file, not health/index.ts, so an
// older build's dist/health.js can never shadow them)
export * from './health/bounded-probe';
export * from './health/consumer-health-source';
export * from './health/health-options';
export * from './health/health.controller';
