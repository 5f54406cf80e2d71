// The resource-pool actor on an in-memory network with real messaging hubs and a fake clock: the
// coordinator starts from the newest replica, replicates a grant before answering it, and releases
// what a dead holder held; a peer out of office sends requests on.
import { afterEach, describe, expect, it } from 'vitest';
import { ask } from '../../src/actor/ask.js';
import type { Actor } from '../../src/actor/actor.js';
import { hubMessenger } from '../../src/hub-messenger.js';
import { peerMessenger } from '../../src/protocol/peer-messenger.js';
import type { PoolReplica } from '../../src/resources.js';
import { resourcePool } from '../../actors/resource-pool/actor.js';
import type { AllocateReply, PoolStatusView, ResourcePoolMessage } from '../../actors/resource-pool/messages.js';
import { memoryHubs } from '../messaging-hub/support.js';

const IDS = ['a', 'b', 'c'];
let stop: (() => Promise<void>) | undefined;
afterEach(async () => stop?.());

async function pools(initial: Record<string, PoolReplica> = {}, announceMs = 1_000) {
  const { system, hubs, transports, advance } = await memoryHubs(IDS);
  stop = () => system.stop();
  const office = { holder: 'a', term: 3 };
  const saved: Record<string, PoolReplica[]> = {};
  const actors: Record<string, Actor<ResourcePoolMessage, unknown>> = {};
  for (const id of IDS) {
    const messenger = peerMessenger(hubMessenger(hubs[id]!, id));
    saved[id] = [];
    actors[id] = await system.spawn(
      resourcePool({
        transport: transports[id]!,
        messenger,
        capacity: { cpu: 2, gpu: id === 'b' ? 1 : 0 },
        office: async () => ({ inOffice: office.holder === id, term: office.term }),
        persist: { load: () => initial[id], save: (r) => saved[id]!.push(r) },
        announceMs,
        cleanupMs: 1_000,
      }),
    );
    messenger.on('resources.replicate', (replica) => ({ stored: actors[id]!.tell({ type: 'replica', replica }) }));
    messenger.on('resources.sync', () => ask<ResourcePoolMessage, PoolReplica>(actors[id]!, (r) => ({ type: 'replica.get', reply: r })));
  }
  const members = (dead: string[] = []) => {
    for (const id of IDS) actors[id]!.tell({ type: 'members', members: IDS.filter((x) => x !== id).map((node_id) => ({ node_id, status: dead.includes(node_id) ? ('dead' as const) : ('alive' as const) })) });
  };
  members();
  const status = (id: string) => ask<ResourcePoolMessage, PoolStatusView>(actors[id]!, (reply) => ({ type: 'status.get', reply }));
  const allocate = (id: string, allocation_id: string, resources: { type: string; amount: number }[], holder = id) => {
    const box: { reply?: AllocateReply } = {};
    void ask<ResourcePoolMessage, AllocateReply>(actors[id]!, (reply) => ({ type: 'allocate', request: { allocation_id, requester_id: 't', holder, priority: 0, ttl: null, resources, deadline: 0 }, reply }), 60_000).then((r) => (box.reply = r));
    return box;
  };
  return { advance, actors, saved, status, allocate, members, office, transports };
}

describe('resource pool actor', () => {
  it('takes office from the newest replica, and replicates a grant before answering it', async () => {
    const old: PoolReplica = { term: 2, seq: 7, allocations: [{ allocation_id: 'kept', requester_id: 't', holder: 'c', resources: [{ type: 'cpu', amount: 1, unit: 'cores' }], priority: 0, ttl: null, granted_at: 0, expires_at: null, placement: { c: { cpu: 1 } } }] };
    const { advance, status, allocate, saved } = await pools({ b: old, a: { term: 1, seq: 1, allocations: [] } });
    await advance(2_000);
    const a = await status('a');
    expect(a.in_office).toBe(true);
    expect(a.replica.allocations.map((x) => x.allocation_id)).toEqual(['kept']);
    expect(Object.keys(a.capacity).sort()).toEqual(IDS);

    const gpu = allocate('a', 'g1', [{ type: 'gpu', amount: 1 }], 'c');
    await advance(100);
    expect(gpu.reply).toMatchObject({ granted: true, allocation: { placement: { b: { gpu: 1 } } } });
    // Every replica had it by the time the grant was answered.
    for (const id of ['b', 'c']) expect(saved[id]!.at(-1)!.allocations.map((x) => x.allocation_id).sort()).toEqual(['g1', 'kept']);

    const more = allocate('a', 'g2', [{ type: 'gpu', amount: 1 }]);
    await advance(100);
    expect(more.reply).toMatchObject({ granted: false, shortfall: [{ type: 'gpu', missing: 1 }] });
  });

  it('a peer out of office says so; a dead holder loses what it held', async () => {
    const { advance, status, allocate, members } = await pools();
    await advance(2_000);
    const elsewhere = allocate('b', 'x', [{ type: 'cpu', amount: 1 }]);
    await advance(50);
    expect(elsewhere.reply).toEqual({ not_in_office: true });

    const held = allocate('a', 'held', [{ type: 'cpu', amount: 1 }], 'c');
    await advance(100);
    expect(held.reply).toMatchObject({ granted: true });
    members(['c']);
    await advance(500);
    expect((await status('a')).replica.allocations).toEqual([]);
    expect((await status('b')).replica.allocations).toEqual([]);
    expect(Object.keys((await status('a')).capacity).sort()).toEqual(['a', 'b']);
  });

  it('announces its capacity when a member joins or comes back, and otherwise only at the refresh', async () => {
    const { advance, actors, transports } = await pools({}, 60_000);
    await advance(3_000); // the welcomes of the first meeting
    const fromA: number[] = [];
    transports.b!.subscribe('/mcpdt/resources/1.0.0', ({ from }) => from === 'a' && fromA.push(1));
    const tellA = (c: 'alive' | 'suspect' | 'dead') => actors.a!.tell({ type: 'members', members: [{ node_id: 'b', status: 'alive' }, { node_id: 'c', status: c }] });
    await advance(10_000);
    expect(fromA).toHaveLength(0);
    tellA('suspect');
    tellA('alive'); // a suspect heard again is no newcomer
    await advance(1_000);
    expect(fromA).toHaveLength(0);
    tellA('dead');
    tellA('alive'); // back from the dead: it may have restarted and know nothing
    tellA('alive');
    await advance(1_000);
    expect(fromA).toHaveLength(1);
    await advance(2_000); // once more, in case its subscription had not reached a's gossip yet
    expect(fromA).toHaveLength(2);
    await advance(60_000);
    expect(fromA).toHaveLength(3);
  });
});
