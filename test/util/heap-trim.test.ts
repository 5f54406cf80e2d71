// An idle peer's heap is collected when it has crept up (trimHeapWhenIdle, src/util/heap.ts): the rule on a
// fake clock, and what one such collection does to a real heap.
import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/util/clock.js';
import { TRIM_CHECK_MS, TRIM_GROWTH_BYTES, collectGarbage, reduceHeap, trimHeapWhenIdle } from '../../src/util/heap.js';

const MB = 1024 * 1024;
/** Lets the check's awaited collection settle. */
const settle = () => new Promise((r) => setImmediate(r));

function harness(start: number) {
  const clock = new FakeClock();
  const h = { clock, committed: start, busy: false, collections: [] as number[], leftAfter: start };
  const trim = trimHeapWhenIdle({
    clock,
    busy: () => h.busy,
    committed: () => h.committed,
    collect: async () => {
      h.collections.push(clock.now());
      h.committed = h.leftAfter;
    },
  });
  return { h, trim };
}

describe('trimHeapWhenIdle', () => {
  it('collects once the committed heap has grown TRIM_GROWTH_BYTES over what the last collection left, and not before', async () => {
    const { h, trim } = harness(30 * MB);
    h.committed = 30 * MB + TRIM_GROWTH_BYTES; // not over
    h.clock.advance(TRIM_CHECK_MS);
    await settle();
    expect(h.collections).toEqual([]);

    h.committed = 30 * MB + TRIM_GROWTH_BYTES + 1;
    h.leftAfter = 24 * MB;
    h.clock.advance(TRIM_CHECK_MS);
    await settle();
    expect(h.collections).toHaveLength(1);

    // The floor is now what that collection left (24 MB): 28 MB is over it by more than the allowance.
    h.committed = 28 * MB;
    h.clock.advance(TRIM_CHECK_MS);
    await settle();
    expect(h.collections).toHaveLength(2);
    h.clock.advance(TRIM_CHECK_MS); // nothing grew since
    await settle();
    expect(h.collections).toHaveLength(2);
    trim.close();
  });

  it('measures growth from the least the heap has held: a peer boots with its heap at its largest', async () => {
    const { h, trim } = harness(40 * MB);
    h.committed = 25 * MB; // V8's memory reducer shrank it after the boot
    h.clock.advance(TRIM_CHECK_MS);
    await settle();
    h.committed = 25 * MB + TRIM_GROWTH_BYTES + 1;
    h.clock.advance(TRIM_CHECK_MS);
    await settle();
    expect(h.collections).toHaveLength(1);
    trim.close();
  });

  it('leaves the heap to V8 while load runs here, and collects at the first check after', async () => {
    const { h, trim } = harness(20 * MB);
    h.busy = true;
    h.committed = 40 * MB;
    for (let i = 0; i < 5; i++) {
      h.clock.advance(TRIM_CHECK_MS);
      await settle();
    }
    expect(h.collections).toEqual([]);
    h.busy = false;
    h.clock.advance(TRIM_CHECK_MS);
    await settle();
    expect(h.collections).toHaveLength(1);
    trim.close();
  });

  it('close stops it: no timer is left', async () => {
    const { h, trim } = harness(20 * MB);
    expect(h.clock.pendingTimers).toBe(1);
    trim.close();
    expect(h.clock.pendingTimers).toBe(0);
    h.committed = 40 * MB;
    h.clock.advance(10 * TRIM_CHECK_MS);
    await settle();
    expect(h.collections).toEqual([]);
  });

  it("its reduceHeap gives back the old-space pages that a real heap's garbage had filled", async () => {
    await collectGarbage();
    const clock = new FakeClock();
    let done!: () => void;
    const collected = new Promise<void>((r) => (done = r));
    const trim = trimHeapWhenIdle({
      clock,
      busy: () => false,
      collect: async () => {
        await reduceHeap();
        done();
      },
    });
    const floor = v8.getHeapStatistics().total_heap_size;
    // Garbage that lives through two young collections, as an idle peer's short-lived state does, fills old space.
    let held: { i: number; s: string; a: number[] }[] | undefined = Array.from({ length: 300_000 }, (_, i) => ({ i, s: `x${i}`, a: [i] }));
    const grown = v8.getHeapStatistics().total_heap_size;
    expect(grown - floor).toBeGreaterThan(20 * MB);
    expect(held.length).toBe(300_000);
    held = undefined;

    clock.advance(TRIM_CHECK_MS);
    await collected;
    const after = v8.getHeapStatistics();
    trim.close();
    expect(grown - after.total_heap_size).toBeGreaterThan(15 * MB);
    // Compacted: what stays committed is what is live, give or take a few pages.
    expect(after.total_heap_size - after.used_heap_size).toBeLessThan(4 * MB);
  });
});
