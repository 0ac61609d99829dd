// ESLint's own RuleTester with the TypeScript parser: decorators and `import type` need it. The rules
// use no type information, so the cases need no tsconfig. RuleTester picks up Jest's describe/it.
import { Rule, RuleTester } from 'eslint';
import type { TSESLint } from '@typescript-eslint/utils';
import tseslint from 'typescript-eslint';

export const ruleTester = new RuleTester({ languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' } });

/**
 * typescript-eslint's rule type describes the same object with its own AST types; ESLint's tester
 * takes the estree-typed one.
 */
export const asEslintRule = (rule: TSESLint.RuleModule<string, readonly unknown[]>): Rule.RuleModule => rule as unknown as Rule.RuleModule;
