// The V8 flags peer.js sets for each command exist in this Node's V8: one it does not know would be
// ignored, with "Error: unrecognized flag" on stderr at every launch.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/lib/peer-process.js';
import { singleReducingCollection, v8FlagsFor } from '../../src/cli/v8-flags.js';

const module = pathToFileURL(join(REPO_ROOT, 'dist', 'src', 'cli', 'v8-flags.js')).href;

describe('V8 flags by command', () => {
  it.each(['start', 'run', 'mcp', 'keygen', 'info'])('%s: every flag is one this V8 knows', (command) => {
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', `const { setV8FlagsFor } = await import(${JSON.stringify(module)}); setV8FlagsFor(${JSON.stringify(command)});`], { encoding: 'utf8' });
    expect(child.status).toBe(0);
    expect(child.stderr).toBe('');
  });

  it('run limits the memory reducer to one collection (its wait: test/util/memory-reducer.test.ts)', () => {
    const single = singleReducingCollection(); // this Node's V8
    expect(v8FlagsFor('run')).toContain(single);
    expect(v8FlagsFor('start')).not.toContain(single);
  });

  it('says "one reducing collection" in the words of each supported V8', () => {
    expect(singleReducingCollection(11)).toBe('--memory-reducer-single-gc'); // Node 20
    expect(singleReducingCollection(12)).toBe('--memory-reducer-gc-count=1'); // Node 22
    expect(singleReducingCollection(13)).toBe('--memory-reducer-gc-count=1'); // Node 24
  });
});
