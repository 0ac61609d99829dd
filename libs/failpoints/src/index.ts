// The inert build: what every process loads unless started with --conditions=paystate-failpoints
// (production, the Docker image, the dev stack). Every call is a no-op and nothing can be armed.
import { ArmFailpoints, Failpoint, FailpointsBuild, writeToStderr } from './api';
import { describePlan } from './grammar';

export * from './api';
export * from './catalogue';
export * from './grammar';

export const FAILPOINTS_BUILD: FailpointsBuild = 'inert';

export const failpoint: Failpoint = Object.assign((_name: unknown): void => undefined, { async: async (_name: unknown): Promise<void> => undefined });

/** Arms nothing; says so when asked to arm something, so a test that forgot the condition is told why. */
export const armFailpoints: ArmFailpoints = (plan, { log = writeToStderr } = {}) => {
  if (plan.size > 0) log(`PAYSTATE_FAILPOINTS ignored (${describePlan(plan)}): the inert failpoints build cannot arm anything; start node with --conditions=paystate-failpoints`);
};
