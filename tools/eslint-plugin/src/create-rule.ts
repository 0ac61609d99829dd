import { ESLintUtils } from '@typescript-eslint/utils';

/** Each rule's documentation is its section of this project's README (a path in the repository). */
export const createRule = ESLintUtils.RuleCreator((name) => `tools/eslint-plugin/README.md#${name}`);
