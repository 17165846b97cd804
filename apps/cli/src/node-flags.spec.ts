import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_NODE_FLAGS } from './node-flags';

describe('the V8 flags of the allmende command', () => {
  it('are in the #! line of main.ts, which starts the command', () => {
    const shebang = readFileSync(join(__dirname, 'main.ts'), 'utf8').split('\n')[0];
    expect(shebang).toBe(`#!/usr/bin/env -S node ${CLI_NODE_FLAGS.join(' ')}`);
  });

  it('are in `npm run allmende`', () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(manifest.scripts.allmende).toBe(`node ${CLI_NODE_FLAGS.join(' ')} dist/apps/cli/src/main.js`);
  });
});
