// Jest in CommonJS mode with @swc/jest. NestJS 12 and MikroORM 7 are ESM-only; Node ≥ 24.9
// loads them through require(esm), which Jest reaches with --experimental-vm-modules
// (see `npm test`).
const { readFileSync } = require('node:fs');

const swcrc = JSON.parse(readFileSync(`${__dirname}/.swcrc`, 'utf8'));
const shared = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  moduleNameMapper: { '^@allmende/(.*)$': '<rootDir>/libs/$1/src' },
  moduleFileExtensions: ['ts', 'js', 'json'],
};

/** @type {import('jest').Config} */
module.exports = {
  // Jest reads testTimeout only at the top level (a project's own is ignored). Integration
  // tests start apps and providers; speed targets live in bench/, not in timeouts.
  testTimeout: 60_000,
  // Test files run in two worker processes (the machines have two cores; most tests wait on
  // PostgreSQL, Redis or a browser). A worker is replaced once its heap passes the limit after
  // a file: every file leaves some of its modules behind, and in one process for the whole
  // run the heap reached Node's 4 GB limit (CI exit 134).
  maxWorkers: 2,
  workerIdleMemoryLimit: '1536MB',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,test}/**/*.spec.ts'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: [
        '<rootDir>/{apps,libs,test}/**/*.int-spec.ts',
        '<rootDir>/test/e2e/**/*.e2e-spec.ts',
        '<rootDir>/test/hardening/**/*.e2e-spec.ts',
      ],
      // One database per run, migrated once; tests isolate themselves with fresh tenants.
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    {
      ...shared,
      displayName: 'browser',
      // Chromium against a running API with the dev identity provider; same database setup as
      // the integration tests. Chromium: /usr/bin/chromium (Debian), installed by .ci/run.
      testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
