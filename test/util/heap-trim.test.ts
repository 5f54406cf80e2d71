// An idle peer's heap is trimmed when it has crept up (trimHeapWhenIdle, src/util/heap-trim.ts): the rule on a
// fake clock, and what one trim (reduceHeap) does to a real heap.
import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/util/clock.js';
import { collectGarbage } from '../../src/util/heap.js';
import { TRIM_CHECK_MS, TRIM_GROWTH_BYTES, TRIM_GROWTH_SHARE, reduceHeap, trimHeapWhenIdle } from '../../src/util/heap-trim.js';

const MB = 1024 * 1024;

function harness(start: number) {
  const clock = new FakeClock();
  const h = { clock, committed: start, busy: false, collections: [] as number[], leftAfter: start };
  const startedAt = clock.now();
  const trim = trimHeapWhenIdle({
    clock,
    busy: () => h.busy,
    committed: () => h.committed,
    collect: async () => {
      h.collections.push(clock.now() - startedAt);
      h.committed = h.leftAfter;
    },
  });
  /** Lets `checks` of its checks run, each with its awaited collection settled. */
  const checks = async (n = 1) => {
    for (let i = 0; i < n; i++) {
      clock.advance(TRIM_CHECK_MS);
      await new Promise((r) => setImmediate(r));
    }
  };
  return { h, trim, checks };
}

describe('trimHeapWhenIdle', () => {
  it('trims once the committed heap has grown TRIM_GROWTH_BYTES over the least it held, and not before', async () => {
    const { h, trim, checks } = harness(30 * MB);
    h.committed = 30 * MB + TRIM_GROWTH_BYTES; // not over
    await checks();
    expect(h.collections).toEqual([]);

    h.committed = 30 * MB + TRIM_GROWTH_BYTES + 1;
    h.leftAfter = 24 * MB;
    await checks();
    expect(h.collections).toEqual([2 * TRIM_CHECK_MS]);

    // The floor is now what that trim left (24 MB): 28 MB is over it by more than the allowance.
    h.committed = 28 * MB;
    await checks();
    expect(h.collections).toEqual([2 * TRIM_CHECK_MS, 3 * TRIM_CHECK_MS]);
    await checks(2); // nothing grew since
    expect(h.collections).toHaveLength(2);
    trim.close();
  });

  it('looks first one TRIM_CHECK_MS after the start, and trims then if the heap has grown', async () => {
    const { h, trim } = harness(20 * MB);
    h.committed = 40 * MB;
    h.clock.advance(TRIM_CHECK_MS - 1);
    await new Promise((r) => setImmediate(r));
    expect(h.collections).toEqual([]);
    h.clock.advance(1);
    await new Promise((r) => setImmediate(r));
    expect(h.collections).toEqual([TRIM_CHECK_MS]);
    trim.close();
  });

  it('measures growth from the least the heap has held: a peer boots with its heap at its largest', async () => {
    const { h, trim, checks } = harness(40 * MB);
    h.committed = 25 * MB; // V8's memory reducer shrank it after the boot
    await checks();
    h.committed = 25 * MB + TRIM_GROWTH_BYTES + 1;
    await checks();
    expect(h.collections).toHaveLength(1);
    trim.close();
  });

  it('lets a large heap grow by a share of itself before it trims it: a trim costs in proportion to what is live', async () => {
    const { h, trim, checks } = harness(200 * MB);
    h.committed = 200 * MB + 15 * MB; // over 3 MB, under a tenth
    await checks();
    expect(h.collections).toEqual([]);
    h.committed = 200 * MB * (1 + TRIM_GROWTH_SHARE) + 1;
    await checks();
    expect(h.collections).toHaveLength(1);
    trim.close();
  });

  it('leaves the heap to V8 while load runs here, and trims at the first check after', async () => {
    const { h, trim, checks } = harness(20 * MB);
    h.busy = true;
    h.committed = 40 * MB;
    await checks(2);
    expect(h.collections).toEqual([]);
    h.busy = false;
    await checks();
    expect(h.collections).toHaveLength(1);
    trim.close();
  });

  it('close stops it: no timer is left', async () => {
    const { h, trim, checks } = harness(20 * MB);
    expect(h.clock.pendingTimers).toBe(1);
    trim.close();
    expect(h.clock.pendingTimers).toBe(0);
    h.committed = 40 * MB;
    await checks(2);
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
