// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'coverage/',
      '.allmende/',
      'jest.config.js',
      'test/support/summary-reporter.js',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Libraries are reached through their index (`@allmende/x`), never by deep path.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@allmende/*/*'], message: 'Import a lib through its index: @allmende/<lib>.' },
          ],
        },
      ],
    },
  },
  {
    // libs never import apps.
    files: ['libs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@allmende/*/*'], message: 'Import a lib through its index: @allmende/<lib>.' },
            { group: ['**/apps/**'], message: 'libs must not import apps.' },
          ],
        },
      ],
    },
  },
  prettier,
);
