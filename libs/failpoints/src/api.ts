import type { FailpointName } from './catalogue';
import type { FailpointPlan } from './grammar';

/**
 * The one call. `failpoint(name)` where the site cannot wait (kill, throw); `await
 * failpoint.async(name)` where it can (also delay). Both builds export it with this shape.
 */
export interface Failpoint {
  (name: FailpointName): void;
  async(name: FailpointName): Promise<void>;
}

/** Which build this process loaded: `armed` only under `node --conditions=paystate-failpoints`. */
export type FailpointsBuild = 'armed' | 'inert';

export interface ArmOptions {
  /** Where the boot line goes (what is armed, or that nothing can be); stderr by default. */
  log?: (line: string) => void;
}

/** Arms the plan parsed by the service's config, at bootstrap: the only way anything gets armed. */
export type ArmFailpoints = (plan: FailpointPlan, options?: ArmOptions) => void;

/** What a `throw` action throws: the site's own error handling takes it from there. */
export class FailpointError extends Error {
  override readonly name = 'FailpointError';
  constructor(readonly point: FailpointName) {
    super(`failpoint ${point}: throw`);
  }
}

export const writeToStderr = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
