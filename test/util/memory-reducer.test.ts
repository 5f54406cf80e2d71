// V8's memory reducer waits half a minute while a process boots or runs load, and V8's own 8 s once a
// peer is up and idle (src/util/memory-reducer.ts). Each case is a real Node process made quiet after
// its heap grew (some 30 MB of objects, half of them kept, then a full collection), as a peer's thread is
// while it sends at a low rate, and watched for 25 s with V8's own traces. With V8's wait the reducer
// wakes 8 s later and makes its compacting collections (V8 13, Node 24, takes the quiet thread for a busy
// one and waits again instead, which it traces); held off, it does not wake within the 25 s.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/lib/peer-process.js';

const dist = (path: string) => JSON.stringify(pathToFileURL(join(REPO_ROOT, 'dist', 'src', path)).href);
const traced = Number(process.versions.v8.split('.')[0]) >= 12;

/** Runs `setup`, grows the heap, collects it, and returns V8's traces over the next 25 s. */
function quietAfter(setup: string): Promise<string> {
  const script = [
    `const { setV8FlagsFor } = await import(${dist('cli/v8-flags.js')});`,
    `const { holdReducerOff, setIdleReducerDelay } = await import(${dist('util/memory-reducer.js')});`,
    setup,
    `let big = []; for (let i = 0; i < 3e5; i++) big.push({ i, s: 'x' + i }); const live = big.filter((_, i) => i % 2 === 0);`,
    `globalThis.gc(); big = null; setTimeout(() => (live.length = 0), 25000);`,
  ].join('\n');
  const args = ['--expose-gc', '--trace-gc', ...(traced ? ['--trace-memory-reducer'] : []), '--input-type=module', '-e', script];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited ${code}: ${out.slice(-500)}`))));
  });
}

const woke = /Mark-Compact \(reduce\)|Memory reducer: waiting for 8000 ms/;

describe('the memory reducer while a process boots or runs load', () => {
  it('wakes for an idle peer; not within 25 s while a peer boots, for run, or while a run holds it off', async () => {
    const [idlePeer, booting, run, held, released] = await Promise.all([
      quietAfter(`setV8FlagsFor('start'); setIdleReducerDelay(8000);`),
      quietAfter(`setV8FlagsFor('start');`),
      quietAfter(`setV8FlagsFor('run');`),
      quietAfter(`setV8FlagsFor('start'); setIdleReducerDelay(8000); holdReducerOff();`),
      // Held, then let go before the heap grew: an idle peer again.
      quietAfter(`setV8FlagsFor('start'); setIdleReducerDelay(8000); const release = holdReducerOff(); release(); release();`),
    ]);
    for (const out of [idlePeer, booting, run, held, released]) expect(out).toContain('testing'); // the forced full collection
    expect(idlePeer).toMatch(woke);
    expect(released).toMatch(woke);
    for (const out of [booting, run, held]) {
      expect(out).not.toContain('(reduce)');
      expect(out).not.toContain('Memory reducer:');
    }
  }, 60_000);
});
