// An execution that ended stays ended on every replica. A peer cut off while the coordinator published
// the end holds the running version; if it then takes office and its gathering of the others' replicas
// times out (a starved or cut-off peer), it takes the execution over from that stale version and writes a
// running version under its higher term. Ordered by term alone, that version replaced the end on every
// replica (issue 9: a replica with other figures than the rest, an ended execution running again). Real
// replicators, SQLite stores and the coordinator's executions driver over the in-memory network, on a
// fake clock.
import { afterEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../../src/actor/actor.js';
import { hubMessenger } from '../../../src/hub-messenger.js';
import { peerMessenger } from '../../../src/protocol/peer-messenger.js';
import type { Store } from '../../../src/store/store.js';
import { silentLogger } from '../../../src/util/log.js';
import { ResultsCache } from '../../../actors/coordinator/replication/results-cache.js';
import { replicationPort } from '../../../actors/coordinator/replication/port.js';
import { replicator } from '../../../actors/coordinator/replication/replicator.js';
import type { ReplicationMessage } from '../../../actors/coordinator/replication/messages.js';
import { ExecutionsDriver } from '../../../actors/coordinator/executions/driver.js';
import type { ExecutionsMessage } from '../../../actors/coordinator/executions/messages.js';
import { splitEqually } from '../../../actors/test-distributor/split.js';
import type { ExecutionDoc } from '../../../src/execution/contract.js';
import { memoryHubs } from '../../messaging-hub/support.js';
import { deltasOf, docOf, openStore } from './fixtures.js';

const IDS = ['a', 'b', 'c'];
let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function cluster() {
  const net = await memoryHubs(IDS);
  const peers: Record<string, { store: Store; results: ResultsCache; actor: Actor<ReplicationMessage, unknown> }> = {};
  for (const id of IDS) {
    const store = openStore();
    const results = new ResultsCache(store);
    const actor = await net.system.spawn(replicator({ messenger: peerMessenger(hubMessenger(net.hubs[id]!, id)), store, results }));
    actor.tell({ type: 'members', peers: IDS.filter((x) => x !== id) });
    peers[id] = { store, results, actor };
  }
  cleanup = async () => {
    await net.system.stop();
    for (const p of Object.values(peers)) p.store.close();
  };
  return { ...net, peers };
}

describe('an execution that ended stays ended', () => {
  it('a coordinator that took office with a stale replica (its gathering timed out) does not make it run again anywhere', async () => {
    const c = await cluster();
    const { a, b } = c.peers;
    // Coordinator a (term 1) drives e1 on a, b and c; every replica holds it running, with its deltas.
    const running = docOf('e1', { term: 1, version: 3, status: 'running', start_at: 2_000, assignments: IDS.map((node_id) => ({ node_id, segment: { from: 0, to: 1 }, state: 'running' as const, updated_at: 1_000 })) });
    const write = (doc: ExecutionDoc) => {
      a!.store.putExecution({ execution_id: doc.execution_id, term: doc.term, version: doc.version, status: doc.status, created_at: doc.created_at, doc });
      replicationPort(a!.actor).docChanged(doc);
    };
    write(running);
    for (const node of IDS) for (const d of deltasOf('e1', 0, node, 3)) if (a!.results.addDelta(d)) replicationPort(a!.actor).deltaStored(d);
    await c.advance(50);
    expect(c.peers.c!.store.getExecution('e1')?.status).toBe('running');

    // c is cut off while a ends it: only a and b hold the end.
    c.network.partition(['c'], ['a', 'b']);
    const ended = { ...running, version: 4, status: 'completed' as const, finished_at: 6_000 };
    write({ ...ended, report: a!.results.report(ended, 6_000) });
    await c.advance(50);
    expect(b!.store.getExecution('e1')).toMatchObject({ term: 1, version: 4, status: 'completed' });

    // c takes office (term 2) still cut off: its gathering times out and it takes e1 over from its stale copy.
    const mailbox: ExecutionsMessage[] = [];
    const driver = new ExecutionsDriver(
      'c',
      { store: c.peers.c!.store, messenger: peerMessenger(hubMessenger(c.hubs.c!, 'c')), replication: replicationPort(c.peers.c!.actor), results: c.peers.c!.results, split: splitEqually },
      { self: { tell: (msg) => mailbox.push(msg) > 0 }, clock: c.clock, log: silentLogger, startTimer: (_key, ms, msg) => void c.clock.schedule(() => mailbox.push(msg), ms) },
    );
    const deliver = () => {
      for (const msg of mailbox.splice(0)) driver.receive(msg);
    };
    driver.members(IDS, [{ node_id: 'a', status: 'alive' }, { node_id: 'b', status: 'alive' }]);
    driver.tookOffice(2);
    for (let i = 0; i < 40 && !driver.state.executions.has('e1'); i++) {
      await c.advance(100);
      deliver();
    }
    expect(driver.state.executions.get('e1')?.doc).toMatchObject({ term: 2, status: 'running' });
    expect(c.peers.c!.store.getExecution('e1')).toMatchObject({ term: 2, status: 'running' });

    // The cut heals; anti-entropy runs for a while.
    c.network.heal();
    c.network.connectAll();
    for (let i = 0; i < 100; i++) {
      await c.advance(100);
      deliver();
    }

    // Every replica holds the end a published, and serves its report.
    for (const id of IDS) {
      const view = c.peers[id]!.results.view('e1', 20_000)!;
      expect({ id, status: view.doc.status, term: view.doc.term, version: view.doc.version }).toEqual({ id, status: 'completed', term: 1, version: 4 });
      expect(view.report.summary.total_requests).toBe(3 * 3 * 5);
    }
    // And c no longer drives it.
    expect(driver.state.executions.has('e1')).toBe(false);
  });

  it('of two ends, the first stands everywhere: an office that re-ended it from a stale replica does not change its figures', async () => {
    const c = await cluster();
    const { a } = c.peers;
    const running = docOf('e1', { term: 1, version: 3, status: 'running', start_at: 2_000 });
    const write = (peer: string, doc: ExecutionDoc) => {
      c.peers[peer]!.store.putExecution({ execution_id: doc.execution_id, term: doc.term, version: doc.version, status: doc.status, created_at: doc.created_at, doc });
      replicationPort(c.peers[peer]!.actor).docChanged(doc);
    };
    write('a', running);
    for (const node of ['a', 'b']) for (const d of deltasOf('e1', 0, node, 3)) if (a!.results.addDelta(d)) replicationPort(a!.actor).deltaStored(d);
    await c.advance(50);
    c.network.partition(['c'], ['a', 'b']);
    const first = { ...running, version: 4, status: 'completed' as const, finished_at: 6_000 };
    write('a', { ...first, report: a!.results.report(first, 6_000) });
    // c, cut off with the running copy, took it over (term 2) and ended it again with what it held.
    const again = { ...running, term: 2, version: 5, coordinator: 'c', status: 'failed' as const, finished_at: 9_000, error: 'every generator failed (generator silent)' };
    write('c', { ...again, report: c.peers.c!.results.report(again, 9_000) });
    await c.advance(50);
    c.network.heal();
    c.network.connectAll();
    await c.advance(10_000, 100);
    for (const id of IDS) {
      const view = c.peers[id]!.results.view('e1', 20_000)!;
      expect({ id, status: view.doc.status, term: view.doc.term }).toEqual({ id, status: 'completed', term: 1 });
    }
  });
});
