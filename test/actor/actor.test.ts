import { describe, expect, it } from 'vitest';
import { ActorSystem } from '../../src/actor/system.js';
import { ask } from '../../src/actor/ask.js';
import type { Behaviour, Escalation } from '../../src/actor/types.js';
import { FakeClock } from '../../src/util/clock.js';
import { createLogger } from '../../src/util/log.js';

type CounterMsg =
  | { type: 'add'; n: number }
  | { type: 'boom' }
  | { type: 'get'; reply: (n: number) => void }
  | { type: 'tick' };

function counter(inits: { count: number }): Behaviour<CounterMsg, { total: number }> {
  return {
    role: 'counter',
    init: () => {
      inits.count++;
      return { total: 0 };
    },
    receive(state, msg, ctx) {
      switch (msg.type) {
        case 'add':
          return { total: state.total + msg.n };
        case 'boom':
          throw new Error('poison');
        case 'get':
          msg.reply(state.total);
          return state;
        case 'tick':
          ctx.startTimer('t', 1000, { type: 'add', n: 100 });
          return state;
      }
    },
  };
}

function setup() {
  const clock = new FakeClock();
  const lines: string[] = [];
  const escalations: Escalation[] = [];
  const system = new ActorSystem({ clock, log: createLogger('debug', 'test', (l) => lines.push(l)), onEscalate: (e) => escalations.push(e) });
  return { clock, lines, escalations, system };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('actor runtime', () => {
  it('handles messages one at a time, in order', async () => {
    const { system } = setup();
    const actor = await system.spawn(counter({ count: 0 }));
    for (let i = 1; i <= 100; i++) actor.tell({ type: 'add', n: i });
    expect(await ask<CounterMsg, number>(actor, (reply) => ({ type: 'get', reply }))).toBe(5050);
    expect(actor.stats().processed).toBe(101);
  });

  it('drops a poison message, logs role and message type, and restarts after backoff', async () => {
    const { system, clock, lines } = setup();
    const inits = { count: 0 };
    const actor = await system.spawn(counter(inits), { supervision: { backoffMs: 100 } });
    actor.tell({ type: 'add', n: 5 });
    actor.tell({ type: 'boom' });
    actor.tell({ type: 'add', n: 7 });
    await settle();
    expect(actor.status).toBe('restarting');
    expect(lines.some((l) => l.includes('actor failed') && l.includes('role=counter') && l.includes('message=boom'))).toBe(true);
    clock.advance(99);
    await settle();
    expect(inits.count).toBe(1);
    clock.advance(1);
    await settle();
    expect(inits.count).toBe(2);
    expect(actor.status).toBe('running');
    // State restarted from init; the message queued behind the poison one is still handled.
    expect(await ask<CounterMsg, number>(actor, (reply) => ({ type: 'get', reply }))).toBe(7);
  });

  it('doubles the backoff and escalates after too many restarts within the window', async () => {
    const { system, clock, escalations } = setup();
    const inits = { count: 0 };
    const actor = await system.spawn(counter(inits), { supervision: { maxRestarts: 3, windowMs: 60_000, backoffMs: 100, maxBackoffMs: 10_000 } });
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      actor.tell({ type: 'boom' });
      await settle();
      const before = clock.now();
      while (actor.status === 'restarting') {
        clock.advance(10);
        await settle();
      }
      delays.push(clock.now() - before);
    }
    expect(delays).toEqual([100, 200, 400]);
    actor.tell({ type: 'boom' });
    await settle();
    expect(actor.status).toBe('failed');
    expect(escalations).toHaveLength(1);
    expect(escalations[0]!.role).toBe('counter');
    expect(actor.tell({ type: 'add', n: 1 })).toBe(false);
  });

  it('forgets restarts older than the window', async () => {
    const { system, clock, escalations } = setup();
    const actor = await system.spawn(counter({ count: 0 }), { supervision: { maxRestarts: 2, windowMs: 1_000, backoffMs: 10 } });
    for (let i = 0; i < 6; i++) {
      actor.tell({ type: 'boom' });
      await settle();
      clock.advance(2_000);
      await settle();
    }
    expect(actor.status).toBe('running');
    expect(escalations).toHaveLength(0);
  });

  it('delivers timers through the injected clock', async () => {
    const { system, clock } = setup();
    const actor = await system.spawn(counter({ count: 0 }));
    actor.tell({ type: 'tick' });
    await settle();
    clock.advance(999);
    expect(await ask<CounterMsg, number>(actor, (reply) => ({ type: 'get', reply }))).toBe(0);
    clock.advance(1);
    expect(await ask<CounterMsg, number>(actor, (reply) => ({ type: 'get', reply }))).toBe(100);
  });

  it('cancels timers when the actor stops', async () => {
    const { system, clock } = setup();
    const actor = await system.spawn(counter({ count: 0 }));
    actor.tell({ type: 'tick' });
    await settle();
    expect(clock.pendingTimers).toBe(1);
    await system.stop();
    expect(clock.pendingTimers).toBe(0);
    expect(actor.status).toBe('stopped');
  });

  it('restarts an actor whose init throws', async () => {
    const { system, clock } = setup();
    let attempts = 0;
    const flaky: Behaviour<{ type: 'x' }, number> = {
      role: 'flaky',
      init: () => {
        if (++attempts < 3) throw new Error('not yet');
        return 1;
      },
      receive: (s) => s,
    };
    const actor = await system.spawn(flaky, { supervision: { backoffMs: 50 } });
    expect(actor.status).toBe('restarting');
    clock.advance(50);
    await settle();
    clock.advance(100);
    await settle();
    expect(attempts).toBe(3);
    expect(actor.status).toBe('running');
  });
});
