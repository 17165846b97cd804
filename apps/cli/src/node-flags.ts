/**
 * V8 flags the `allmende` command runs with (in main.ts's `#!` line, in `npm run allmende`
 * and in the import benchmark, which runs the import as the command does).
 *
 * `--max-semi-space-size=2` (MiB): V8 sizes the young generation for servers (up to 32 MiB
 * per semi-space on a machine with this much memory). A long streaming job such as
 * `members import` allocates a little for every row; with the large young generation the
 * process grows to over 300 MiB for a 100,000-row file, with a 2 MiB one it stays near
 * 230 MiB at the same speed (docs/benchmarks.md). The flag only works at start-up, which is
 * why it sits in the `#!` line and not in code.
 */
export const CLI_NODE_FLAGS = ['--max-semi-space-size=2'] as const;
