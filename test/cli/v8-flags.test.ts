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

  it('run limits the memory reducer to one collection, and marks without increments (the reducer cannot start)', () => {
    const single = singleReducingCollection(); // this Node's V8
    expect(v8FlagsFor('run')).toContain(single);
    expect(v8FlagsFor('start')).not.toContain(single);
    expect(v8FlagsFor('run')).toContain('--no-incremental-marking');
    expect(v8FlagsFor('start')).not.toContain('--no-incremental-marking');
  });

  // A quiet thread after its heap grew (some 30 MB of objects, half of them kept, then a full collection),
  // as a peer's thread is while it sends at a low rate, watched for 25 s with V8's own traces. By V8's
  // default the reducer wakes 8 s later and makes its compacting collections (V8 13, Node 24, takes the
  // quiet thread for a busy one and waits again instead, which it traces); with a peer's flags or run's,
  // it does not wake within the 25 s.
  it(`the memory reducer waits ${REDUCER_DELAY_MS / 1000} s for a peer and for run, where V8 alone wakes it at 8 s`, async () => {
    const traced = Number(process.versions.v8.split('.')[0]) >= 12;
    const quiet = (command: string | undefined) =>
      new Promise<string>((resolve, reject) => {
        const script = [
          `const { setV8FlagsFor } = await import(${JSON.stringify(module)});`,
          command === undefined ? '' : `setV8FlagsFor(${JSON.stringify(command)});`,
          `let big = []; for (let i = 0; i < 3e5; i++) big.push({ i, s: 'x' + i }); const live = big.filter((_, i) => i % 2 === 0);`,
          `globalThis.gc(); big = null; setTimeout(() => (live.length = 0), 25000);`,
        ].join('\n');
        const args = ['--expose-gc', '--trace-gc', ...(traced ? ['--trace-memory-reducer'] : []), '--input-type=module', '-e', script];
        const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
        child.on('error', reject);
        child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`exited ${code}: ${out.slice(-500)}`))));
      });
    const [v8Alone, peer, run] = await Promise.all([quiet(undefined), quiet('start'), quiet('run')]);
    for (const out of [v8Alone, peer, run]) expect(out).toContain('testing'); // the forced full collection
    expect(v8Alone).toMatch(/Mark-Compact \(reduce\)|Memory reducer: waiting for 8000 ms/);
    for (const out of [peer, run]) {
      expect(out).not.toContain('(reduce)');
      expect(out).not.toContain('Memory reducer:');
    }
  }, 60_000);

  it('says "one reducing collection" in the words of each supported V8', () => {
    expect(singleReducingCollection(11)).toBe('--memory-reducer-single-gc'); // Node 20
    expect(singleReducingCollection(12)).toBe('--memory-reducer-gc-count=1'); // Node 22
    expect(singleReducingCollection(13)).toBe('--memory-reducer-gc-count=1'); // Node 24
  });
});
