// Each delivery mode on the in-memory transport, with the clock moved by hand.
import { afterEach, describe, expect, it } from 'vitest';
import { decodeReply } from '../../src/protocol/frame.js';
import type { Transport } from '../../src/transport/transport.js';
import { AckFrame } from '../../actors/messaging-hub/messages.js';
import { hubStats, register, send } from '../../actors/messaging-hub/send.js';
import { LosingReplies, deliver, memoryHubs, settle } from './support.js';

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

/** A handler that counts its calls and answers with its call number. */
function counting() {
  const calls: unknown[] = [];
  const handler = (payload: unknown) => {
    calls.push(payload);
    return { n: calls.length, echo: payload };
  };
  return { calls, handler };
}

describe('fire-and-forget', () => {
  it('delivers once and answers the caller at once', async () => {
    const c = await memoryHubs(['a', 'b']);
    stop = () => c.system.stop();
    const echo = counting();
    register(c.hubs.b!, 'note', echo.handler);
    await expect(send(c.hubs.a!, 'b', 'note', { x: 1 }, 'fire-and-forget')).resolves.toBeUndefined();
    await settle();
    expect(echo.calls).toEqual([{ x: 1 }]);
    expect((await hubStats(c.hubs.a!)).modes['fire-and-forget']).toMatchObject({ sent: 1, delivered: 1, failed: 0 });
  });

  it('to an unreachable peer: resolves, makes one attempt, never retries', async () => {
    const c = await memoryHubs(['a', 'b']);
    stop = () => c.system.stop();
    c.network.partition(['a'], ['b']);
    const sent = deliver(c.hubs.a!, 'b', 'note', 1, 'fire-and-forget');
    await settle();
    expect(sent.outcome).toEqual({ ok: true, result: undefined, attempts: 1 });
    await c.advance(5_000, 500);
    const stats = await hubStats(c.hubs.a!);
    expect(stats.modes['fire-and-forget']).toMatchObject({ sent: 1, delivered: 0, retried: 0, failed: 1 });
    expect(stats.pending).toBe(0);
    expect(c.clock.pendingTimers).toBe(0);
  });
});

describe('at-least-once', () => {
  it('retries while the link is partitioned and delivers after it heals', async () => {
    const c = await memoryHubs(['a', 'b'], { b: { handlers: { 'task.assign': (p) => ({ accepted: p }) } } });
    stop = () => c.system.stop();
    c.network.partition(['a'], ['b']);
    const sent = deliver(c.hubs.a!, 'b', 'task.assign', 't1', 'at-least-once');
    await c.advance(1_000);
    expect(sent.outcome).toBeUndefined();
    const retried = (await hubStats(c.hubs.a!)).modes['at-least-once'].retried;
    expect(retried).toBeGreaterThanOrEqual(3);
    c.network.heal();
    c.network.link('a', 'b');
    await c.advance(500);
    expect(sent.outcome).toMatchObject({ ok: true, result: { accepted: 't1' } });
    expect(sent.outcome!.attempts).toBeGreaterThan(retried);
    expect((await hubStats(c.hubs.a!)).modes['at-least-once']).toMatchObject({ sent: 1, delivered: 1, failed: 0 });
  });

  it('runs the handler again when an ack is lost (no de-duplication)', async () => {
    let losing: LosingReplies | undefined;
    const wrap = (t: Transport) => (losing = new LosingReplies(t));
    const c = await memoryHubs(['a', 'b'], { a: { wrap } });
    stop = () => c.system.stop();
    const echo = counting();
    register(c.hubs.b!, 'k', echo.handler);
    const sent = deliver(c.hubs.a!, 'b', 'k', 'p', 'at-least-once');
    await c.advance(200);
    expect(sent.outcome).toEqual({ ok: true, result: { n: 2, echo: 'p' }, attempts: 2 });
    expect(echo.calls).toHaveLength(2);
    expect(losing!.lost).toHaveLength(1);
  });
});

describe('exactly-once', () => {
  it('answers a retry after a lost ack from memory: the handler ran once and both attempts got the same reply', async () => {
    let losing: LosingReplies | undefined;
    const wrap = (t: Transport) => (losing = new LosingReplies(t));
    const c = await memoryHubs(['a', 'b'], { a: { wrap } });
    stop = () => c.system.stop();
    const echo = counting();
    register(c.hubs.b!, 'k', echo.handler);
    const sent = deliver(c.hubs.a!, 'b', 'k', 'p', 'exactly-once');
    await settle();
    expect(echo.calls).toHaveLength(1);
    expect(sent.outcome).toBeUndefined(); // the first ack was lost
    await c.advance(200);
    expect(sent.outcome).toEqual({ ok: true, result: { n: 1, echo: 'p' }, attempts: 2 });
    expect(echo.calls).toHaveLength(1);
    expect(decodeReply(losing!.lost[0]!, AckFrame).result).toEqual(sent.outcome!.ok && sent.outcome!.result);
    expect((await hubStats(c.hubs.b!)).modes['exactly-once'].duplicatesSuppressed).toBe(1);
    expect((await hubStats(c.hubs.a!)).modes['exactly-once']).toMatchObject({ sent: 1, delivered: 1, retried: 1 });
  });

  it('keeps separate messages apart', async () => {
    const c = await memoryHubs(['a', 'b']);
    stop = () => c.system.stop();
    const echo = counting();
    register(c.hubs.b!, 'k', echo.handler);
    expect(await send(c.hubs.a!, 'b', 'k', 1, 'exactly-once')).toEqual({ n: 1, echo: 1 });
    expect(await send(c.hubs.a!, 'b', 'k', 1, 'exactly-once')).toEqual({ n: 2, echo: 1 });
  });
});

describe('reliable', () => {
  it('delivers when the peer is reachable', async () => {
    const c = await memoryHubs(['a', 'b'], { b: { handlers: { k: () => 'ok' } } });
    stop = () => c.system.stop();
    await expect(send(c.hubs.a!, 'b', 'k', null, 'reliable', { deadlineMs: 1_000 })).resolves.toBe('ok');
  });

  it('ends in HUB_DEADLINE_EXCEEDED at the deadline, naming peer, kind, attempts and last cause', async () => {
    const c = await memoryHubs(['a', 'b'], { b: { handlers: { k: () => 'ok' } } });
    stop = () => c.system.stop();
    c.network.partition(['a'], ['b']);
    const sent = deliver(c.hubs.a!, 'b', 'k', null, 'reliable', 1_000);
    await c.advance(950);
    expect(sent.outcome).toBeUndefined();
    await c.advance(50);
    // Attempts at 0, 100, 300 and 700 ms; the next (1,100 ms) falls after the deadline.
    expect(sent.outcome).toMatchObject({ ok: false, attempts: 4 });
    const error = sent.outcome!.ok ? undefined : sent.outcome!.error;
    expect(error).toMatchObject({
      name: 'DeadlineExceededError',
      code: 'HUB_DEADLINE_EXCEEDED',
      details: { peer: 'b', kind: 'k', mode: 'reliable', attempts: 4, cause_code: 'TRANSPORT_UNREACHABLE' },
    });
    expect(error!.message).toMatch(/^k to b \(reliable\) not acknowledged within 1000 ms after 4 attempt\(s\); last cause TRANSPORT_UNREACHABLE/);
    expect((await hubStats(c.hubs.a!)).modes.reliable).toMatchObject({ sent: 1, delivered: 0, retried: 3, failed: 1 });
    expect(c.clock.pendingTimers).toBe(0);
  });

  it('send() rejects with the McpError', async () => {
    const c = await memoryHubs(['a', 'b']);
    stop = () => c.system.stop();
    c.network.partition(['a'], ['b']);
    const sending = send(c.hubs.a!, 'b', 'k', null, 'reliable', { deadlineMs: 300 });
    const rejected = expect(sending).rejects.toMatchObject({ code: 'HUB_DEADLINE_EXCEEDED' });
    await c.advance(300);
    await rejected;
  });
});

describe('at-least-once and exactly-once default to the message timeout', () => {
  it.each(['at-least-once', 'exactly-once'] as const)('%s gives up after messageTimeoutMs', async (mode) => {
    const c = await memoryHubs(['a', 'b'], { a: { messageTimeoutMs: 2_000 } });
    stop = () => c.system.stop();
    c.network.partition(['a'], ['b']);
    const sent = deliver(c.hubs.a!, 'b', 'k', null, mode);
    await c.advance(1_950, 150);
    expect(sent.outcome).toBeUndefined();
    await c.advance(100);
    expect(sent.outcome).toMatchObject({ ok: false, error: { code: 'HUB_DEADLINE_EXCEEDED' } });
  });
});
