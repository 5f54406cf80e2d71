// The V8 flags peer.js sets for each command exist in this Node's V8: one it does not know would be
// ignored, with "Error: unrecognized flag" on stderr at every launch.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/lib/peer-process.js';
import { REDUCER_DELAY_MS, singleReducingCollection, v8FlagsFor } from '../../src/cli/v8-flags.js';

const module = pathToFileURL(join(REPO_ROOT, 'dist', 'src', 'cli', 'v8-flags.js')).href;

describe('V8 flags by command', () => {
  it.each(['start', 'run', 'mcp', 'keygen', 'info'])('%s: every flag is one this V8 knows', (command) => {
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', `const { setV8FlagsFor } = await import(${JSON.stringify(module)}); setV8FlagsFor(${JSON.stringify(command)});`], { encoding: 'utf8' });
    expect(child.status).toBe(0);
    expect(child.stderr).toBe('');
  });

  it('run keeps the memory reducer from its sending thread as far as flags set at run time can', () => {
    const single = singleReducingCollection(); // this Node's V8
    expect(v8FlagsFor('run')).toEqual(expect.arrayContaining(['--no-memory-reducer-for-small-heaps', single]));
    expect(v8FlagsFor('start')).not.toContain(single);
  });

  it('puts the memory reducer off for half a minute after a full collection, for a peer and for run', () => {
    for (const command of ['start', 'run']) expect(v8FlagsFor(command)).toContain(`--gc-memory-reducer-start-delay-ms=${REDUCER_DELAY_MS}`);
  });

  // A quiet thread after its heap grew, as a peer's own thread is while it sends at a low rate: V8's
  // reducer wakes 8 s later by default and makes its compacting collections (V8 13, Node 24, waits again
  // instead, and traces it), and not within 11 s with a peer's flags.
  it('a quiet thread meets no memory reducer for 11 s after its heap grew, where V8 alone wakes it at 8 s', async () => {
    const traced = Number(process.versions.v8.split('.')[0]) >= 12;
    const quiet = (peerFlags: boolean) =>
      new Promise<string>((resolve, reject) => {
        const script = [
          `const { setV8FlagsFor } = await import(${JSON.stringify(module)});`,
          peerFlags ? `setV8FlagsFor('start');` : '',
          // Some 30 MB of objects, half of them kept, arm the reducer; a full collection frees the rest.
          `let big = []; for (let i = 0; i < 3e5; i++) big.push({ i, s: 'x' + i }); const live = big.filter((_, i) => i % 2 === 0);`,
          `globalThis.gc(); big = null; setTimeout(() => (live.length = 0), 11000);`,
        ].join('\n');
        const args = ['--expose-gc', '--trace-gc', ...(traced ? ['--trace-memory-reducer'] : []), '--input-type=module', '-e', script];
        const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
        child.on('error', reject);
        child.on('close', () => resolve(out));
      });
    const [v8Alone, peer] = await Promise.all([quiet(false), quiet(true)]);
    expect(v8Alone).toContain('testing'); // the forced full collection
    expect(peer).toContain('testing');
    expect(v8Alone).toMatch(/Mark-Compact \(reduce\)|Memory reducer: waiting for 8000 ms/);
    expect(peer).not.toContain('(reduce)');
    expect(peer).not.toContain('Memory reducer:');
  }, 30_000);

  it('says "one reducing collection" in the words of each supported V8', () => {
    expect(singleReducingCollection(11)).toBe('--memory-reducer-single-gc'); // Node 20
    expect(singleReducingCollection(12)).toBe('--memory-reducer-gc-count=1'); // Node 22
    expect(singleReducingCollection(13)).toBe('--memory-reducer-gc-count=1'); // Node 24
  });
});
