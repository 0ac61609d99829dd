// The ops tool as a library, for tests and benchmarks that drive it in-process.
export { EXIT, OpsError } from './errors';
export type { ExitCode } from './errors';
export { resolveSettings } from './settings';
export type { OpsSettings, ServiceSettings } from './settings';
