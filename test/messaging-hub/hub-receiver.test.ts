// The receiving side and failures: handler errors, unknown kinds, invalid frames, de-duplication details, stop.
import { afterEach, describe, expect, it } from 'vitest';
import { McpError } from '../../src/errors.js';
import { encodeFrame } from '../../src/protocol/frame.js';
import { PermanentError } from '../../src/errors.js';
import { HUB_PROTOCOL, type DeliveryMode, type DeliveryReport } from '../../actors/messaging-hub/messages.js';
import { hubStats, register, send } from '../../actors/messaging-hub/send.js';
import { deliver, memoryHubs, settle } from './support.js';

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

const text = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
const frame = (id: string, mode: DeliveryMode, payload: unknown = null) => encodeFrame({ type: 'hub.message', id, kind: 'k', mode, payload, attempt: 1 });

describe('handler errors', () => {
  it('a throwing handler fails the attempt; at-least-once retries until it succeeds', async () => {
    const c = await memoryHubs(['a', 'b']);
    stop = () => c.system.stop();
    let calls = 0;
    register(c.hubs.b!, 'k', () => {
      if (++calls < 3) throw new McpError('TASK_BUSY', 'try later');
      return 'done';
    });
    const sent = deliver(c.hubs.a!, 'b', 'k', null, 'at-least-once');
    await c.advance(400);
    expect(sent.outcome).toEqual({ ok: true, result: 'done', attempts: 3 });
    expect(calls).toBe(3);
  });

  it('a PermanentError ends the delivery at once with HUB_REJECTED', async () => {
    const handler = () => {
      throw new PermanentError('PERMANENT_BAD_TASK', 'no such plan');
    };
    const c = await memoryHubs(['a', 'b'], { b: { handlers: { k: handler } } });
    stop = () => c.system.stop();
    const sent = deliver(c.hubs.a!, 'b', 'k', null, 'reliable', 5_000);
    await settle();
    expect(sent.outcome).toMatchObject({ ok: false, attempts: 1, error: { code: 'HUB_REJECTED', details: { cause_code: 'PERMANENT_BAD_TASK', peer: 'b', kind: 'k' } } });
    expect((sent.outcome as { error: Error }).error.message).toContain('no such plan');
    expect(c.clock.pendingTimers).toBe(0);
  });

  it('an unknown kind is rejected for good', async () => {
    const c = await memoryHubs(['a', 'b']);
    stop = () => c.system.stop();
    await expect(send(c.hubs.a!, 'b', 'nobody.handles', null, 'at-least-once')).rejects.toMatchObject({
      code: 'HUB_REJECTED',
      details: { cause_code: 'HUB_UNKNOWN_KIND', attempts: 1 },
    });
  });

  it('a fire-and-forget handler error is counted, never retried', async () => {
    let calls = 0;
    const c = await memoryHubs(['a', 'b'], { b: { handlers: { k: () => { calls++; throw new Error('boom'); } } } });
    stop = () => c.system.stop();
    await send(c.hubs.a!, 'b', 'k', null, 'fire-and-forget');
    await c.advance(2_000, 200);
    expect(calls).toBe(1);
    expect((await hubStats(c.hubs.a!)).modes['fire-and-forget']).toMatchObject({ sent: 1, failed: 1, retried: 0 });
  });

  it('awaits async handlers and reports each finished delivery', async () => {
    const reports: DeliveryReport[] = [];
    const c = await memoryHubs(['a', 'b'], { a: { onDelivery: (r) => reports.push(r) }, b: { handlers: { k: async (p) => `async ${String(p)}` } } });
    stop = () => c.system.stop();
    expect(await send(c.hubs.a!, 'b', 'k', 7, 'exactly-once')).toBe('async 7');
    expect(reports).toEqual([{ mode: 'exactly-once', kind: 'k', to: 'b', ok: true, attempts: 1, elapsedMs: 0 }]);
  });
});

describe('refused sends', () => {
  it('a payload that is not JSON is rejected without retrying', async () => {
    const c = await memoryHubs(['a', 'b'], { b: { handlers: { k: () => 1 } } });
    stop = () => c.system.stop();
    await expect(send(c.hubs.a!, 'b', 'k', { n: 1n }, 'at-least-once')).rejects.toMatchObject({
      code: 'HUB_REJECTED',
      details: { cause_code: 'PERMANENT_PAYLOAD_NOT_JSON', attempts: 1 },
    });
  });

  it('a deadline that is not positive is refused', async () => {
    const c = await memoryHubs(['a', 'b']);
    stop = () => c.system.stop();
    await expect(send(c.hubs.a!, 'b', 'k', null, 'reliable', { deadlineMs: 0 })).rejects.toMatchObject({ code: 'HUB_INVALID_SEND' });
  });

  it('stopping the hub answers every waiting caller with HUB_ABORTED', async () => {
    const c = await memoryHubs(['a', 'b']);
    c.network.partition(['a'], ['b']);
    const sent = deliver(c.hubs.a!, 'b', 'k', null, 'at-least-once');
    await c.advance(200);
    await c.system.stop();
    await sent.promise;
    expect(sent.outcome).toMatchObject({ ok: false, error: { code: 'HUB_ABORTED' } });
  });
});

describe('invalid frames', () => {
  it('get an error reply naming the problem, and the hub keeps serving', async () => {
    const c = await memoryHubs(['a', 'b'], { b: { handlers: { k: () => 'fine' } } });
    stop = () => c.system.stop();
    const a = c.transports.a!;
    const badField = await a.request('b', HUB_PROTOCOL, encodeFrame({ type: 'hub.message', id: 5, kind: 'k', mode: 'exactly-once', attempt: 1 }));
    expect(text(badField)).toMatchObject({ v: 1, type: 'error', code: 'WIRE_INVALID_FRAME' });
    expect(text(badField).message).toContain('id');
    const badMode = await a.request('b', HUB_PROTOCOL, encodeFrame({ type: 'hub.message', id: 'x', kind: 'k', mode: 'twice', attempt: 1 }));
    expect(text(badMode)).toMatchObject({ code: 'WIRE_INVALID_FRAME' });
    const garbage = await a.request('b', HUB_PROTOCOL, new Uint8Array([0xff, 0x00]));
    expect(text(garbage)).toMatchObject({ type: 'error', code: 'WIRE_INVALID_FRAME' });
    expect(await send(c.hubs.a!, 'b', 'k', null, 'at-least-once')).toBe('fine');
  });
});

describe('exactly-once de-duplication', () => {
  it('a duplicate that arrives while the handler runs waits for the same reply', async () => {
    let release!: (value: string) => void;
    let calls = 0;
    const c = await memoryHubs(['a', 'b'], { b: { handlers: { k: () => (calls++, new Promise<string>((r) => (release = r))) } } });
    stop = () => c.system.stop();
    const a = c.transports.a!;
    const first = a.request('b', HUB_PROTOCOL, frame('m1', 'exactly-once'));
    const second = a.request('b', HUB_PROTOCOL, frame('m1', 'exactly-once'));
    await settle();
    release('once');
    const replies = (await Promise.all([first, second])).map(text);
    expect(replies).toEqual([1, 2].map(() => ({ v: 1, type: 'hub.ack', id: 'm1', result: 'once' })));
    expect(calls).toBe(1);
    expect((await hubStats(c.hubs.b!)).modes['exactly-once'].duplicatesSuppressed).toBe(1);
  });

  it('keys ids by sender, forgets them after the TTL, and does not remember failures', async () => {
    let calls = 0;
    const c = await memoryHubs(['a', 'b', 'c'], {
      b: { dedupTtlMs: 1_000, handlers: { k: (p) => { calls++; if (p === 'fail') throw new Error('transient'); return calls; } } },
    });
    stop = () => c.system.stop();
    const ack = async (from: string, id: string, payload: unknown = null) => text(await c.transports[from]!.request('b', HUB_PROTOCOL, frame(id, 'exactly-once', payload)));
    expect((await ack('a', 'm1')).result).toBe(1);
    expect((await ack('a', 'm1')).result).toBe(1);
    expect((await ack('c', 'm1')).result).toBe(2); // same id from another peer: another message
    await c.advance(1_000, 500);
    expect((await ack('a', 'm1')).result).toBe(3); // forgotten after the TTL
    expect(await ack('a', 'm2', 'fail')).toMatchObject({ type: 'error', code: 'INTERNAL' });
    expect((await ack('a', 'm2')).result).toBe(5); // the failed attempt was not remembered
  });

  it('at-least-once frames are never de-duplicated', async () => {
    let calls = 0;
    const c = await memoryHubs(['a', 'b'], { b: { handlers: { k: () => ++calls } } });
    stop = () => c.system.stop();
    await c.transports.a!.request('b', HUB_PROTOCOL, frame('same', 'at-least-once'));
    await c.transports.a!.request('b', HUB_PROTOCOL, frame('same', 'at-least-once'));
    expect(calls).toBe(2);
  });
});
