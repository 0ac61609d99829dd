// The workspace's own lint rules: conventions the prose states and no stock rule can check.
// eslint.config.mjs loads this source through tsx, so linting needs no build step.
import { consumerControllerOnlyOnEvent } from './rules/consumer-controller-only-on-event';
import { failpointAtSeams } from './rules/failpoint-at-seams';
import { noRandomIdsInHandlers } from './rules/no-random-ids-in-handlers';

const plugin = {
  meta: { name: 'paystate' },
  rules: {
    'consumer-controller-only-on-event': consumerControllerOnlyOnEvent,
    'failpoint-at-seams': failpointAtSeams,
    'no-random-ids-in-handlers': noRandomIdsInHandlers,
  },
};

export default plugin;
