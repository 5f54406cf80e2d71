// The resource-pool actor, on every peer: announces this peer's capacity, keeps everyone's, keeps a
// replica of the allocation table. On the coordinator in office it runs the pool reducer, and
// replicates every change to the others before it answers a grant, so a successor starts from it.
import type { ActorContext, Behaviour } from '../../src/actor/types.js';
import { newlyAlive } from '../../src/protocol/membership.js';
import type { PeerMessenger } from '../../src/protocol/peer-messenger.js';
import { publishTopic, subscribeTopic } from '../../src/protocol/topics.js';
import type { AllocationOutcome, PoolReplica } from '../../src/resources.js';
import type { Transport, Unsubscribe } from '../../src/transport/transport.js';
import { assertNever } from '../../src/util/assert-never.js';
import type { ResourcePoolMessage } from './messages.js';
import { emptyPool, reducePool, type PoolEffect, type PoolEvent, type PoolState } from './pool.js';

export interface ResourcePoolInit {
  transport: Transport;
  messenger: PeerMessenger;
  capacity: Record<string, number>;
  office(): Promise<{ inOffice: boolean; term: number }>;
  persist: { load(): PoolReplica | undefined; save(replica: PoolReplica): void };
  /** This peer's capacity is announced when a member joins (or comes back), and again on this period. */
  announceMs: number;
  /** Expired allocations (ttl) are released on this period. */
  cleanupMs: number;
}

interface Office {
  term: number;
  ready: boolean;
  pool: PoolState;
}

interface PoolActorState {
  capacities: Map<string, Record<string, number>>;
  members: Map<string, 'alive' | 'suspect' | 'dead'>;
  replica: PoolReplica;
  office: Office | null;
  /** Refusals decided while the requester was not asking, kept for its next ask. */
  refused: Map<string, { outcome: AllocationOutcome; at: number }>;
  unsubscribe: Unsubscribe[];
  /** The replication batch being gathered, if any. */
  flush?: { promise: Promise<void>; resolve: () => void } | undefined;
}

const TICK_MS = 250;
/** A member that joined hears our capacity this long after (joins within the first delay are heard together). */
const WELCOME_DELAYS_MS = [250, 2_000] as const;
const REFUSED_KEPT_MS = 60_000;
const REPLICATE_DEADLINE_MS = 1_000;
const REPLICATE_BATCH_MS = 5;
const newer = (a: PoolReplica, b: PoolReplica) => a.term > b.term || (a.term === b.term && a.seq > b.seq);

export function resourcePool(init: ResourcePoolInit): Behaviour<ResourcePoolMessage, PoolActorState> {
  const { transport, messenger } = init;
  const self = transport.self;
  const alivePeers = (s: PoolActorState) => [...s.members].filter(([n, st]) => st !== 'dead' && n !== self).map(([n]) => n);

  const keepReplica = (s: PoolActorState, replica: PoolReplica) => {
    s.replica = replica;
    init.persist.save(replica);
  };

  /** Apply one event in office; returns its effects and a promise that the change reached the replicas. */
  const apply = (s: PoolActorState, office: Office, event: PoolEvent, ctx: ActorContext<ResourcePoolMessage>) => {
    const { state, effects } = reducePool(office.pool, event);
    office.pool = state;
    let replicated: Promise<unknown> = Promise.resolve();
    if (effects.some((e) => e.type === 'granted' || e.type === 'released')) {
      keepReplica(s, { term: office.term, seq: s.replica.term === office.term ? s.replica.seq + 1 : 1, allocations: Object.values(state.allocations) });
      // Changes of one moment travel together: one replication per burst, every grant in it waits for it.
      if (!s.flush) {
        const flush = Promise.withResolvers<void>();
        s.flush = flush;
        ctx.startTimer('replicate', REPLICATE_BATCH_MS, { type: 'replicate.flush' });
      }
      replicated = s.flush.promise;
    }
    for (const e of effects) log(e, ctx, s);
    return { effects, replicated };
  };

  const log = (e: PoolEffect, ctx: ActorContext<ResourcePoolMessage>, s: PoolActorState) => {
    if (e.type === 'released' && e.reason !== 'released') ctx.log.info('allocation released', { allocation: e.allocation.allocation_id, reason: e.reason });
    if (e.type === 'refused') s.refused.set(e.allocation_id, { outcome: { granted: false, allocation_id: e.allocation_id, reason: e.reason, shortfall: e.shortfall }, at: ctx.clock.now() });
  };

  const lostNodes = (s: PoolActorState, office: Office) => {
    const dead = new Set([...s.members].filter(([, st]) => st === 'dead').map(([n]) => n));
    const involved = new Set([...Object.keys(office.pool.capacity), ...Object.values(office.pool.allocations).flatMap((a) => [a.holder, ...Object.keys(a.placement)])]);
    // Only a member seen dead is lost: one not heard of yet (just after a takeover) is not.
    return [...involved].filter((n) => n !== self && dead.has(n));
  };

  const syncMembership = (s: PoolActorState, office: Office, ctx: ActorContext<ResourcePoolMessage>) => {
    const now = ctx.clock.now();
    for (const node of lostNodes(s, office)) apply(s, office, { type: 'node.lost', now, node }, ctx);
    for (const [node, capacity] of s.capacities) {
      const alive = node === self || (s.members.has(node) && s.members.get(node) !== 'dead');
      if (alive && !office.pool.capacity[node]) apply(s, office, { type: 'capacity', now, node, capacity }, ctx);
    }
  };

  return {
    role: 'resource-pool',

    init(ctx) {
      const state: PoolActorState = {
        capacities: new Map([[self, init.capacity]]),
        members: new Map(),
        replica: init.persist.load() ?? { term: 0, seq: 0, allocations: [] },
        office: null,
        refused: new Map(),
        unsubscribe: [],
      };
      state.unsubscribe.push(
        subscribeTopic(transport, 'resources', (frame, from) => {
          if (frame.node_id === from) ctx.self.tell({ type: 'capacity.heard', node: frame.node_id, capacity: frame.capacity });
        }, ctx.log),
      );
      ctx.startInterval('tick', TICK_MS, { type: 'tick' });
      ctx.startInterval('announce', init.announceMs, { type: 'announce' });
      ctx.startInterval('cleanup', init.cleanupMs, { type: 'cleanup' });
      ctx.self.tell({ type: 'announce' });
      return state;
    },

    receive(s, msg, ctx) {
      const now = ctx.clock.now();
      switch (msg.type) {
        case 'announce':
          publishTopic(transport, 'resources', { type: 'resources.capacity', node_id: self, capacity: init.capacity }).catch((error: unknown) => ctx.log.debug('capacity publish failed', { error }));
          break;
        case 'tick':
          init.office().then((o) => ctx.self.tell({ type: 'office', ...o }), () => undefined);
          if (s.office?.ready) apply(s, s.office, { type: 'tick', now }, ctx);
          for (const [id, r] of s.refused) if (now - r.at > REFUSED_KEPT_MS) s.refused.delete(id);
          break;
        case 'replicate.flush': {
          const flush = s.flush;
          s.flush = undefined;
          const replica = s.replica;
          void Promise.allSettled(alivePeers(s).map((peer) => messenger.send(peer, 'resources.replicate', replica, 'reliable', { deadlineMs: REPLICATE_DEADLINE_MS }))).then(() => flush?.resolve());
          break;
        }
        case 'cleanup':
          if (s.office?.ready) apply(s, s.office, { type: 'expire', now }, ctx);
          break;
        case 'office':
          if (msg.inOffice && s.office?.term !== msg.term) {
            s.office = { term: msg.term, ready: false, pool: emptyPool() };
            const term = msg.term;
            // Gather the others' replicas first: the newest table is where the last coordinator stopped.
            void Promise.all(
              alivePeers(s).map((peer) =>
                messenger.send(peer, 'resources.sync', {}, 'reliable', { deadlineMs: 500 }).catch(() => undefined),
              ),
            ).then((replicas) => ctx.self.tell({ type: 'takeover', term, replicas: replicas.filter((r): r is PoolReplica => r !== undefined) }));
          } else if (!msg.inOffice && s.office) {
            s.office = null;
          }
          break;
        case 'takeover': {
          const office = s.office;
          if (!office || office.term !== msg.term) break;
          const newest = msg.replicas.reduce((best, r) => (newer(r, best) ? r : best), s.replica);
          office.pool = { ...emptyPool(), allocations: Object.fromEntries(newest.allocations.map((a) => [a.allocation_id, a])) };
          keepReplica(s, { term: office.term, seq: 0, allocations: newest.allocations });
          office.ready = true;
          // Capacities first (allocations may sit on them), then anything lost meanwhile.
          for (const [node, capacity] of s.capacities) office.pool.capacity[node] = { ...capacity };
          syncMembership(s, office, ctx);
          ctx.log.info('resource pool in office', { term: office.term, allocations: newest.allocations.length });
          break;
        }
        case 'capacity.heard':
          s.capacities.set(msg.node, msg.capacity);
          if (s.office?.ready && s.members.get(msg.node) !== 'dead') apply(s, s.office, { type: 'capacity', now, node: msg.node, capacity: msg.capacity }, ctx);
          break;
        case 'members':
          // A newcomer (or a new coordinator's pool) needs our capacity now, not at the next refresh; joins come in bursts.
          if (newlyAlive([...s.members].map(([node_id, status]) => ({ node_id, status })), msg.members).length > 0) {
            ctx.startTimer('welcome', WELCOME_DELAYS_MS[0], { type: 'announce' });
            ctx.startTimer('welcome-again', WELCOME_DELAYS_MS[1], { type: 'announce' }); // its subscription may not have reached our gossip yet
          }
          s.members = new Map(msg.members.map((m) => [m.node_id, m.status]));
          if (s.office?.ready) syncMembership(s, s.office, ctx);
          break;
        case 'allocate': {
          const office = s.office;
          if (!office?.ready) {
            msg.reply({ not_in_office: true });
            break;
          }
          const id = msg.request.allocation_id;
          const known = s.refused.get(id);
          if (known) {
            msg.reply(known.outcome);
            break;
          }
          const { effects, replicated } = apply(s, office, { type: 'request', now, request: msg.request }, ctx);
          const mine = effects.find((e) => (e.type === 'granted' ? e.allocation.allocation_id : e.type === 'refused' ? e.allocation_id : undefined) === id);
          if (mine?.type === 'granted') void replicated.then(() => msg.reply({ granted: true, allocation: mine.allocation }));
          else if (mine?.type === 'refused') msg.reply(s.refused.get(id)!.outcome);
          else msg.reply({ waiting: true });
          break;
        }
        case 'release': {
          if (!s.office?.ready) {
            msg.reply('not_in_office');
            break;
          }
          const { effects, replicated } = apply(s, s.office, { type: 'release', now, allocation_id: msg.allocation_id }, ctx);
          const found = effects.some((e) => e.type === 'released');
          void replicated.then(() => msg.reply(found));
          break;
        }
        case 'replica':
          if (newer(msg.replica, s.replica) && !s.office) keepReplica(s, msg.replica);
          break;
        case 'replica.get':
          msg.reply(s.replica);
          break;
        case 'status.get':
          msg.reply({ capacity: Object.fromEntries([...s.capacities].filter(([n]) => n === self || (s.members.has(n) && s.members.get(n) !== 'dead'))), replica: s.replica, in_office: s.office?.ready ?? false });
          break;
        default:
          assertNever(msg);
      }
      return s;
    },

    stop(s) {
      for (const u of s.unsubscribe) u();
    },
  };
}
