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

async function cluster(ids: string[], links: 'all' | [string, string][] = 'all') {
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
  return { clock, network, system, actors, changes, members, statusOf, advance };
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
});
