import { enableCompileCache } from 'node:module';

// Imported first by main.ts, before the modules it speeds up: Node keeps the compiled code of
// every module it loads on disk (in the OS temp dir) and reuses it at the next start, which cuts
// start-up by about a quarter (the CLI's `--version`: 3.2 s → 2.4 s here). Nothing depends on
// the cache: a missing or unwritable one only means a slower start.
enableCompileCache();
