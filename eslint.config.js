// ESLint flat config for Freshet: typescript-eslint's recommended rules without type information (fast enough to
// run on every `npm test`), tuned to the codebase's deliberate choices. Layering is checked separately by
// scripts/check-layers.mjs.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    ignores: ['dist/**', 'node_modules/**', 'web/dist/**', 'flink/**', 'coverage/**', '.freshet/**'],
  },
  {
    files: ['src/**/*.ts', 'tests/**/*.ts', 'bench/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
    },
    linterOptions: {
      reportUnusedDisableDirectives: 'warn',
    },
    rules: {
      // Some places (accumulators, row values, generic operator plumbing) are typed `any` on purpose; keep them
      // visible without failing the build.
      '@typescript-eslint/no-explicit-any': 'warn',
      // Positional rows and parallel arrays are indexed under invariants the compiler cannot see
      // (noUncheckedIndexedAccess-style `rows[i]!`).
      '@typescript-eslint/no-non-null-assertion': 'off',
      // `_`-prefixed names mark deliberately unused parameters and destructured leftovers; tsc's noUnusedLocals
      // already reports real leftovers.
      '@typescript-eslint/no-unused-vars': ['error', {
        argsIgnorePattern: '^_',
        varsIgnorePattern: '^_',
        caughtErrorsIgnorePattern: '^_',
        destructuredArrayIgnorePattern: '^_',
        ignoreRestSiblings: true,
      }],
      // `new Function` is an error everywhere except the files listed in the code-generation block below (or a file
      // that opts in with `/* eslint-disable no-new-func -- why */`).
      'no-new-func': 'error',
      // Parsers and scanners use `while (true)` loops with explicit breaks.
      'no-constant-condition': ['error', { checkLoops: false }],
      // Hand-written lexers switch on characters and fall through deliberately (tsc's noFallthroughCasesInSwitch
      // still rejects accidental fallthrough of non-empty cases).
      'no-fallthrough': 'off',
      // Control characters appear in lexer and CSV/JSON format regexes on purpose.
      'no-control-regex': 'off',
      // Type-only empty interfaces are used as extension points for connector options.
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
    },
  },
  {
    // Code generation: the engine compiles expressions from the program IR to JavaScript functions instead of
    // walking an expression tree per row. Only these files may call `new Function`.
    files: ['src/engine/codegen.ts'],
    rules: {
      'no-new-func': 'off',
    },
  },
  {
    // Tests and benchmarks: assertions on `any`-typed results, ad-hoc helpers.
    files: ['tests/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
