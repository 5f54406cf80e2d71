// Replicators of three peers over the in-memory network, real messaging hubs and real SQLite files, on a
// fake clock: pushes arrive, a peer cut off while an execution changed catches up by anti-entropy alone,
// a takeover gathers the others' replicas, and a large catch-up goes in budgeted parts.
import { afterEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../../src/actor/actor.js';
import { hubMessenger } from '../../../src/hub-messenger.js';
import { peerMessenger } from '../../../src/protocol/peer-messenger.js';
import type { Store } from '../../../src/store/store.js';
import { ResultsCache } from '../../../actors/coordinator/replication/results-cache.js';
import { replicationPort } from '../../../actors/coordinator/replication/port.js';
import { replicator, roundPeriod, type ReplicationTiming } from '../../../actors/coordinator/replication/replicator.js';
import type { ReplicationMessage } from '../../../actors/coordinator/replication/messages.js';
import { memoryHubs } from '../../messaging-hub/support.js';
import { deltasOf, docOf, openStore } from './fixtures.js';

const IDS = ['a', 'b', 'c'];
let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function cluster(timing: Partial<ReplicationTiming> = {}) {
  const net = await memoryHubs(IDS);
  const peers: Record<string, { store: Store; results: ResultsCache; actor: Actor<ReplicationMessage, unknown> }> = {};
  /** Anti-entropy digests each peer sent. */
  const digests: Record<string, number> = {};
  for (const id of IDS) {
    const store = openStore();
    const results = new ResultsCache(store);
    const inner = peerMessenger(hubMessenger(net.hubs[id]!, id));
    digests[id] = 0;
    const messenger: typeof inner = {
      ...inner,
      send: (to, kind, ...rest) => {
        if (kind === 'replication.digest') digests[id]!++;
        return inner.send(to, kind, ...rest);
      },
    };
    const actor = await net.system.spawn(replicator({ messenger, store, results, timing }));
    peers[id] = { store, results, actor };
  }
  const members = (id: string, peers_: string[]) => peers[id]!.actor.tell({ type: 'members', peers: peers_ });
  for (const id of IDS) members(id, IDS.filter((x) => x !== id));
  cleanup = async () => {
    await net.system.stop();
    for (const p of Object.values(peers)) p.store.close();
  };
  /** What the coordinator on `id` does: persist, fold, and hand replication the change. */
  const coordinate = (id: string) => {
    const { store, results, actor } = peers[id]!;
    const port = replicationPort(actor);
    return {
      port,
      write(doc: ReturnType<typeof docOf>) {
        store.putExecution({ execution_id: doc.execution_id, term: doc.term, version: doc.version, status: doc.status, created_at: doc.created_at, doc });
        port.docChanged(doc);
      },
      delta(d: ReturnType<typeof deltasOf>[number]) {
        if (results.addDelta(d)) port.deltaStored(d);
      },
    };
  };
  return { ...net, peers, members, coordinate, digests };
}

const holds = (store: Store, id: string) => ({ version: store.getExecution(id)?.version, status: store.getExecution(id)?.status, deltas: store.deltas(id).length });

describe('replicator', () => {
  it('pushes a burst of document changes once, 10 ms after the first, and each new delta', async () => {
    const c = await cluster();
    const a = c.coordinate('a');
    for (let v = 1; v <= 3; v++) a.write(docOf('e1', { version: v }));
    for (const d of deltasOf('e1', 0, 'a', 2)) a.delta(d);
    await c.advance(20, 5);
    for (const id of ['b', 'c']) expect(holds(c.peers[id]!.store, 'e1')).toEqual({ version: 3, status: 'running', deltas: 2 });
    expect(c.peers.b!.results.view('e1', 9_000)!.requestsByNode).toEqual({ a: 10 });
  });

  it('a push from a deposed coordinator (older term, higher version) never overwrites the newer replica', async () => {
    const c = await cluster({ roundMs: 60_000 });
    c.coordinate('a').write(docOf('e1', { term: 3, version: 2, status: 'completed', coordinator: 'a' }));
    await c.advance(20, 5);
    c.coordinate('c').port.docChanged(docOf('e1', { term: 2, version: 40, status: 'running', coordinator: 'c' }));
    await c.advance(20, 5);
    expect(c.peers.b!.store.getExecution('e1')).toMatchObject({ term: 3, version: 2, status: 'completed' });
    expect(c.peers.b!.results.view('e1', 9_000)!.doc.coordinator).toBe('a');
  });

  it('a peer cut off while the execution ended catches up by anti-entropy within 10 s, with no further change', async () => {
    const c = await cluster();
    const a = c.coordinate('a');
    a.write(docOf('e1', { version: 1 }));
    const deltas = [...deltasOf('e1', 0, 'a', 8), ...deltasOf('e1', 1, 'b', 8)];
    for (const d of deltas.slice(0, 4)) a.delta(d);
    await c.advance(50);
    expect(holds(c.peers.b!.store, 'e1')).toEqual({ version: 1, status: 'running', deltas: 4 });

    c.network.partition(['b'], ['a', 'c']);
    for (const d of deltas.slice(4)) a.delta(d);
    a.write(docOf('e1', { version: 7, status: 'completed', finished_at: 5_000 }));
    await c.advance(50);
    expect(holds(c.peers.b!.store, 'e1')).toEqual({ version: 1, status: 'running', deltas: 4 });
    expect(holds(c.peers.c!.store, 'e1')).toEqual({ version: 7, status: 'completed', deltas: 16 });

    c.network.heal();
    c.network.connectAll();
    await c.advance(10_000, 100);
    expect(holds(c.peers.b!.store, 'e1')).toEqual({ version: 7, status: 'completed', deltas: 16 });
    expect(c.peers.b!.results.view('e1', 9_000)!.requestsByNode).toEqual({ a: 40, b: 40 });
  });

  it('a peer that knew nothing (a fresh data directory) gets the recent executions it lacks', async () => {
    const c = await cluster();
    for (const id of IDS) c.members(id, []); // nobody knows anybody yet: a pushes to no one
    const a = c.coordinate('a');
    for (let i = 1; i <= 3; i++) {
      a.write(docOf(`e${i}`, { version: 4, status: 'completed', created_at: 1_000 * i }));
      for (const d of deltasOf(`e${i}`, 0, 'a', 3)) a.delta(d);
    }
    await c.advance(100);
    expect(holds(c.peers.b!.store, 'e1').version).toBeUndefined();
    c.members('b', ['a', 'c']);
    c.members('c', ['a', 'b']);
    await c.advance(10_000, 100);
    for (const id of ['b', 'c']) for (let i = 1; i <= 3; i++) expect(holds(c.peers[id]!.store, `e${i}`)).toEqual({ version: 4, status: 'completed', deltas: 3 });
  });

  it('older history than the newest digest covers arrives page by page', async () => {
    const c = await cluster({ digestLimit: 4 });
    for (const id of IDS) c.members(id, []);
    const a = c.coordinate('a');
    for (let i = 1; i <= 15; i++) a.write(docOf(`e${i}`, { version: 2, status: 'completed', created_at: 1_000 * i }));
    await c.advance(50);
    c.members('b', ['a']);
    await c.advance(60_000, 200);
    expect(c.peers.b!.store.listExecutions().map((e) => e.execution_id).sort()).toEqual(Array.from({ length: 15 }, (_, i) => `e${i + 1}`).sort());
  });

  it('a catch-up larger than the answer budget goes in several exchanges', async () => {
    const c = await cluster({ replyBudgetBytes: 4_000 });
    c.members('a', []);
    const a = c.coordinate('a');
    a.write(docOf('e1'));
    for (const d of deltasOf('e1', 0, 'a', 30, 50)) a.delta(d);
    const total = c.peers.a!.store.deltas('e1').reduce((n, d) => n + JSON.stringify(d.delta).length, 0);
    expect(total).toBeGreaterThan(3 * 4_000);
    await c.advance(10_000, 100);
    expect(holds(c.peers.b!.store, 'e1').deltas).toBe(30);
  });

  it('gather pulls the newest replicas from the others before a takeover, and gives up on an unreachable peer', async () => {
    const c = await cluster({ roundMs: 60_000 }); // no anti-entropy round meanwhile: only gather moves data
    c.members('c', []);
    const cc = c.coordinate('c');
    cc.write(docOf('e1', { term: 2, version: 5 }));
    for (const d of deltasOf('e1', 0, 'c', 3)) cc.delta(d);
    c.peers.a!.store.putExecution({ execution_id: 'e1', term: 2, version: 3, status: 'running', created_at: 1_000, doc: docOf('e1', { term: 2, version: 3 }) });
    c.network.partition(['a'], ['b']);
    let gathered = false;
    void c.coordinate('a').port.gather(['b', 'c']).then(() => (gathered = true));
    await c.advance(3_000, 50);
    expect(gathered).toBe(true);
    expect(holds(c.peers.a!.store, 'e1')).toEqual({ version: 5, status: 'running', deltas: 3 });
  });

  it('at rest, rounds that bring nothing slow down to restRoundMs; something new brings them back at once', async () => {
    const c = await cluster({ restRoundMs: 16_000 });
    await c.advance(2_100, 100); // the first round, at roundMs
    expect(c.digests.b).toBeGreaterThanOrEqual(1);
    const before = c.digests.b!;
    // Nothing anywhere: after 2 s, then 4, 8, 16, 16, ...
    await c.advance(60_000, 200);
    const atRest = c.digests.b! - before;
    expect(atRest).toBeGreaterThanOrEqual(4);
    expect(atRest).toBeLessThanOrEqual(6); // at roundMs it would have been 30
    // A cut-off peer misses a push, and catches up at the slow pace only...
    c.network.partition(['b'], ['a', 'c']);
    const a = c.coordinate('a');
    a.write(docOf('e1', { version: 2, status: 'completed' }));
    await c.advance(100, 50);
    c.network.heal();
    c.network.connectAll();
    await c.advance(17_000, 200);
    expect(holds(c.peers.b!.store, 'e1')).toMatchObject({ version: 2, status: 'completed' });
    // ... and then, having brought news, at roundMs again.
    const after = c.digests.b!;
    await c.advance(4_100, 100);
    expect(c.digests.b! - after).toBeGreaterThanOrEqual(2);
  });
});

describe('roundPeriod', () => {
  it.each<[string, number, boolean, number]>([
    // case, period now, news, next period (roundMs 2 s, restRoundMs 16 s)
    ['nothing new: doubled', 2_000, false, 4_000],
    ['nothing new again: doubled, up to restRoundMs', 8_000, false, 16_000],
    ['at restRoundMs it stays', 16_000, false, 16_000],
    ['news: roundMs at once', 16_000, true, 2_000],
  ])('%s', (_, now, news, next) => expect(roundPeriod(now, news, { roundMs: 2_000, restRoundMs: 16_000 })).toBe(next));

  it('a restRoundMs below roundMs never slows rounds down nor speeds them up', () => {
    expect(roundPeriod(2_000, false, { roundMs: 2_000, restRoundMs: 1_000 })).toBe(2_000);
  });
});
