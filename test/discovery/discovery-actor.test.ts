import { afterEach, describe, expect, it } from 'vitest';
import { ActorSystem } from '../../src/actor/system.js';
import { ask } from '../../src/actor/ask.js';
import type { Actor } from '../../src/actor/actor.js';
import { MemoryNetwork } from '../../src/transport/memory.js';
import { FakeClock } from '../../src/util/clock.js';
import { discovery } from '../../actors/discovery/discovery.js';
import { timingFor } from '../../actors/discovery/membership.js';
import type { DiscoveryMessage, MembershipChange } from '../../actors/discovery/messages.js';
import type { Member } from '../../src/protocol/membership.js';

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
};

async function cluster(ids: string[], links: 'all' | [string, string][] = 'all', restHeartbeatMs?: number) {
  const clock = new FakeClock(0);
  const network = new MemoryNetwork();
  const system = new ActorSystem({ clock });
  const changes: Record<string, MembershipChange[]> = {};
  const actors: Record<string, Actor<DiscoveryMessage, unknown>> = {};
  for (const id of ids) {
    const transport = network.createTransport(id);
    changes[id] = [];
    actors[id] = await system.spawn(
      discovery({
        transport,
        self: { node_id: id, http_url: '', addresses: [], roles: [], capabilities: [], location: 'x', version: '0', started_at: 0 },
        heartbeatMs: 1_000,
        ...(restHeartbeatMs !== undefined ? { restHeartbeatMs } : {}),
        timing: timingFor(1_000, { disconnectGraceMs: 500 }),
        onChange: (c) => changes[id]!.push(c),
      }),
    );
  }
  if (links === 'all') network.connectAll();
  else for (const [a, b] of links) network.link(a, b);
  await settle();
  const members = (id: string) => ask<DiscoveryMessage, Member[]>(actors[id]!, (reply) => ({ type: 'members.get', reply }));
  const statusOf = async (id: string, of: string) => (await members(id)).find((m) => m.node_id === of)?.status ?? 'absent';
  const advance = async (ms: number, step = 100) => {
    for (let t = 0; t < ms; t += step) {
      clock.advance(step);
      await settle();
    }
  };
  /** Counts the heartbeats `id` publishes from now on, heard by a listener linked to it alone. */
  const beatsOf = (id: string) => {
    const heard = { count: 0 };
    const listener = network.createTransport(`listener-of-${id}`);
    network.link(`listener-of-${id}`, id);
    listener.subscribe('/mcpdt/membership/1.0.0', ({ from }) => void (from === id && heard.count++));
    return heard;
  };
  return { clock, network, system, actors, changes, members, statusOf, advance, beatsOf };
}

let stopSystem: (() => Promise<void>) | undefined;
afterEach(async () => stopSystem?.());

describe('discovery actor (in-memory transport, fake clock)', () => {
  it('every peer sees the others alive after one heartbeat', async () => {
    const c = await cluster(['a', 'b', 'c']);
    stopSystem = () => c.system.stop();
    await c.advance(1_000);
    for (const id of ['a', 'b', 'c']) {
      const others = (await c.members(id)).map((m) => `${m.node_id}:${m.status}`).sort();
      expect(others).toEqual(['a', 'b', 'c'].filter((x) => x !== id).map((x) => `${x}:alive`));
    }
  });

  it('a silent peer (still connected) goes suspect then dead', async () => {
    const c = await cluster(['a', 'b']);
    stopSystem = () => c.system.stop();
    await c.advance(1_000);
    // b hangs: its actor stops sending heartbeats but the link stays up.
    await c.actors.b!.stop();
    await c.advance(2_000);
    expect(await c.statusOf('a', 'b')).toBe('alive');
    await c.advance(1_000);
    expect(await c.statusOf('a', 'b')).toBe('suspect');
    await c.advance(2_500);
    expect(await c.statusOf('a', 'b')).toBe('dead');
  });

  it('a killed peer (connection gone) is dead after the disconnect grace', async () => {
    const c = await cluster(['a', 'b']);
    stopSystem = () => c.system.stop();
    await c.advance(1_000);
    c.network.remove('b');
    await settle();
    expect(await c.statusOf('a', 'b')).toBe('suspect');
    await c.advance(600);
    expect(await c.statusOf('a', 'b')).toBe('dead');
  });

  it('a graceful leave removes the peer at once', async () => {
    const c = await cluster(['a', 'b', 'c']);
    stopSystem = () => c.system.stop();
    await c.advance(1_000);
    await ask<DiscoveryMessage, void>(c.actors.b!, (reply) => ({ type: 'leave', reply: () => reply() }));
    await settle();
    expect(await c.statusOf('a', 'b')).toBe('absent');
    expect(await c.statusOf('c', 'b')).toBe('absent');
    expect(c.changes.a!.some((ch) => ch.kind === 'left' && ch.node_id === 'b')).toBe(true);
  });

  it('ignores a heartbeat whose member is not its publisher', async () => {
    const c = await cluster(['a', 'b']);
    stopSystem = () => c.system.stop();
    const { encodeFrame } = await import('../../src/protocol/frame.js');
    const rogue = c.network.createTransport('rogue');
    c.network.connectAll();
    await rogue.publish(
      '/mcpdt/membership/1.0.0',
      encodeFrame({ type: 'member.heartbeat', seq: 0, member: { node_id: 'ghost', http_url: '', addresses: [], roles: [], capabilities: [], location: '', version: '', started_at: 1 } }),
    );
    await settle();
    expect(await c.statusOf('a', 'ghost')).toBe('absent');
  });

  it('a newcomer that reached one peer connects to the members that peer knows, and all see each other', async () => {
    // c knows only b (its seed); gossip is not forwarded, so without the hello's peer list a and c would never meet.
    const c = await cluster(['a', 'b', 'c'], [['a', 'b'], ['b', 'c']]);
    stopSystem = () => c.system.stop();
    await c.advance(2_000);
    expect(c.network.isLinked('a', 'c')).toBe(true);
    for (const id of ['a', 'b', 'c']) {
      const others = (await c.members(id)).map((m) => `${m.node_id}:${m.status}`).sort();
      expect(others).toEqual(['a', 'b', 'c'].filter((x) => x !== id).map((x) => `${x}:alive`));
    }
  });

  it('at rest a peer heartbeats at its rest period and the others, told so, do not suspect it; busy, at full pace at once', async () => {
    const c = await cluster(['a', 'b'], 'all', 3_000);
    stopSystem = () => c.system.stop();
    await c.advance(1_000);
    const beats = c.beatsOf('a');
    await c.advance(9_000);
    expect(beats.count).toBe(3); // every 3 s
    expect(await c.statusOf('b', 'a')).toBe('alive'); // 2.5 s of silence is not suspect for a peer that said 3 s
    expect(c.changes.b!.filter((ch) => ch.kind === 'status')).toEqual([]);
    c.actors.a!.tell({ type: 'pace', busy: true });
    await settle();
    expect(beats.count).toBe(4); // at once, saying 1 s
    await c.advance(3_000);
    expect(beats.count).toBe(7);
    c.actors.a!.tell({ type: 'pace', busy: false });
    await settle();
    expect(beats.count).toBe(8); // at once, saying 3 s again, before the others would find it silent by 1 s
    await c.advance(6_000);
    expect(beats.count).toBe(10);
    expect(c.changes.b!.filter((ch) => ch.kind === 'status')).toEqual([]);
  });

  it('a peer silent at rest is suspect after 2.5 of its own periods, and dead after 5', async () => {
    const c = await cluster(['a', 'b'], 'all', 3_000);
    stopSystem = () => c.system.stop();
    await c.advance(1_000);
    await c.actors.b!.stop(); // last heard at 0 (its hello), saying 3 s
    await c.advance(6_000);
    expect(await c.statusOf('a', 'b')).toBe('alive');
    await c.advance(1_000); // 8 s: past 7.5 s
    expect(await c.statusOf('a', 'b')).toBe('suspect');
    await c.advance(6_000);
    expect(await c.statusOf('a', 'b')).toBe('suspect');
    await c.advance(1_000); // 15 s
    expect(await c.statusOf('a', 'b')).toBe('dead');
  });
});
