import { register } from 'tsconfig-paths';

/**
 * Jest's global set-up and teardown run outside Jest's module system, where
 * `moduleNameMapper` does not apply; this maps the `@allmende/*` aliases there.
 */
register({
  baseUrl: `${__dirname}/../..`,
  paths: { '@allmende/*': ['libs/*/src'] },
});
