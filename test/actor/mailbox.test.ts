import { describe, expect, it } from 'vitest';
import { Mailbox, MailboxFullError } from '../../src/actor/mailbox.js';
import { ActorSystem } from '../../src/actor/system.js';
import type { Behaviour } from '../../src/actor/types.js';

describe('mailbox', () => {
  it('drop-newest refuses messages beyond capacity', () => {
    const box = new Mailbox<number>('r', { capacity: 3, overflow: 'drop-newest' });
    expect([1, 2, 3, 4, 5].map((n) => box.push(n))).toEqual([true, true, true, false, false]);
    expect(box.dropped).toBe(2);
    expect([box.shift(), box.shift(), box.shift(), box.shift()]).toEqual([1, 2, 3, undefined]);
  });

  it('drop-oldest keeps the newest messages', () => {
    const box = new Mailbox<number>('r', { capacity: 3, overflow: 'drop-oldest' });
    for (let n = 1; n <= 5; n++) box.push(n);
    expect(box.dropped).toBe(2);
    expect([box.shift(), box.shift(), box.shift()]).toEqual([3, 4, 5]);
  });

  it('fail throws a coded error to the sender', () => {
    const box = new Mailbox<number>('hub', { capacity: 1, overflow: 'fail' });
    box.push(1);
    expect(() => box.push(2)).toThrowError(MailboxFullError);
    try {
      box.push(3);
    } catch (error) {
      expect((error as MailboxFullError).code).toBe('ACTOR_MAILBOX_FULL');
    }
  });

  it('stays FIFO across compaction', () => {
    const box = new Mailbox<number>('r', { capacity: 10_000, overflow: 'fail' });
    let next = 0;
    for (let i = 0; i < 5_000; i++) box.push(i);
    for (let i = 0; i < 4_000; i++) expect(box.shift()).toBe(next++);
    for (let i = 5_000; i < 9_000; i++) box.push(i);
    while (box.size > 0) expect(box.shift()).toBe(next++);
    expect(next).toBe(9_000);
  });

  it('an actor whose mailbox overflows counts what it dropped and keeps working', async () => {
    const system = new ActorSystem();
    const seen: number[] = [];
    const slow: Behaviour<{ type: 'n'; n: number }, null> = {
      role: 'slow',
      init: () => null,
      async receive(state, msg) {
        seen.push(msg.n);
        await new Promise((r) => setTimeout(r, 1));
        return state;
      },
    };
    const actor = await system.spawn(slow, { mailbox: { capacity: 10, overflow: 'drop-newest' } });
    let accepted = 0;
    for (let n = 0; n < 100; n++) if (actor.tell({ type: 'n', n })) accepted++;
    await actor.whenIdle();
    expect(accepted).toBeLessThan(100);
    expect(seen.length).toBe(accepted);
    expect(actor.stats().dropped).toBe(100 - accepted);
    expect(actor.tell({ type: 'n', n: 1000 })).toBe(true);
    await actor.whenIdle();
    expect(seen.at(-1)).toBe(1000);
    await system.stop();
  });
});
