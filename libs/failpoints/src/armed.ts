// The armed build, loaded only by `node --conditions=paystate-failpoints` (package.json exports):
// the stack's test profile and the test harness start services so. Never import it by path
// outside this lib (lint forbids it): that would arm production code.
import { ArmFailpoints, Failpoint, FailpointError, FailpointsBuild, writeToStderr } from './api';
import type { FailpointName } from './catalogue';
import { FailpointAction, FailpointTask, describePlan } from './grammar';

export * from './api';
export * from './catalogue';
export * from './grammar';

// Checked on load, not left to each service's wiring: a production process that somehow got this
// build refuses to start rather than carry armable faults.
// eslint-disable-next-line no-restricted-properties -- this interlock must not depend on any app's config
if (process.env['NODE_ENV'] === 'production') {
  throw new Error('the armed failpoints build was loaded with NODE_ENV=production: refusing to start (drop --conditions=paystate-failpoints)');
}

export const FAILPOINTS_BUILD: FailpointsBuild = 'armed';

interface PointState {
  readonly tasks: readonly FailpointTask[];
  /** The task now running, and how many passes it has taken. */
  index: number;
  used: number;
}

const armed = new Map<FailpointName, PointState>();

export const armFailpoints: ArmFailpoints = (plan, { log = writeToStderr } = {}) => {
  armed.clear();
  for (const [name, tasks] of plan) armed.set(name, { tasks, index: 0, used: 0 });
  log(plan.size > 0 ? `failpoints armed: ${describePlan(plan)}` : 'failpoints: armed build, nothing armed');
};

/** This pass's action at the point, advancing its chain; undefined once the chain is used up. */
function take(name: FailpointName): FailpointAction | undefined {
  const state = armed.get(name);
  if (!state) return undefined;
  for (; state.index < state.tasks.length; state.index++, state.used = 0) {
    const task = state.tasks[state.index]!;
    if (task.count === undefined) return task.action;
    if (state.used < task.count) {
      state.used++;
      return task.action;
    }
  }
  return undefined;
}

function act(name: FailpointName, action: Exclude<FailpointAction, { kind: 'delay' }>): void {
  switch (action.kind) {
    case 'off':
      return;
    case 'throw':
      writeToStderr(`failpoint ${name}: throwing`);
      throw new FailpointError(name);
    case 'kill':
      writeToStderr(`failpoint ${name}: killing process ${process.pid}`);
      process.kill(process.pid, 'SIGKILL');
      return;
  }
}

export const failpoint: Failpoint = Object.assign(
  (name: FailpointName): void => {
    const action = take(name);
    if (action === undefined) return;
    // the parser refuses delay for a site the catalogue marks sync; this is a site calling the wrong form
    if (action.kind === 'delay') throw new Error(`failpoint ${name}: delay armed, but its site calls failpoint() rather than failpoint.async()`);
    act(name, action);
  },
  {
    async: async (name: FailpointName): Promise<void> => {
      const action = take(name);
      if (action === undefined) return;
      if (action.kind !== 'delay') return act(name, action);
      writeToStderr(`failpoint ${name}: waiting ${action.ms} ms`);
      await new Promise((resolve) => setTimeout(resolve, action.ms));
    },
  },
);
