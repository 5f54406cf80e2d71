// The replicator, on every peer: pushes the coordinator's changes to the others (documents batched per
// moment, deltas one by one), keeps what it receives if newer, and runs anti-entropy: every few seconds it
// sends one peer a digest of what it holds and stores what that peer answers it lacks, so a peer that was
// down or cut off catches up without waiting for the execution to change.
import type { ActorContext, Behaviour } from '../../../src/actor/types.js';
import { McpError } from '../../../src/errors.js';
import type { PeerMessenger } from '../../../src/protocol/peer-messenger.js';
import type { DigestReply } from '../../../src/protocol/peer-protocol.js';
import type { Store } from '../../../src/store/store.js';
import { assertNever } from '../../../src/util/assert-never.js';
import type { ExecutionDoc } from '../../../src/execution/contract.js';
import { PAGE_EVERY, nextPage, nextPeer } from './digest.js';
import { answerDigest, localDigest, type HoldingLimits } from './holdings.js';
import { acceptAll, acceptDelta, acceptDoc } from './intake.js';
import type { Purpose, ReplicationMessage } from './messages.js';
import type { ResultsCache } from './results-cache.js';

export interface ReplicationTiming extends HoldingLimits {
  /** Documents changed within this long of the first change go out together. */
  flushMs: number;
  /** One anti-entropy exchange per this long. */
  roundMs: number;
  /**
   * At rest, rounds slow down: each that brought nothing doubles the period, up to this; anything new
   * (a document or delta here, a member joining, a round that brought something) makes it roundMs again.
   * An idle peer among 10 asked and answered a digest a second at roundMs.
   */
  restRoundMs: number;
  roundDeadlineMs: number;
  /** A takeover waits this long per exchange for the others' replicas, and asks again at most `gatherRounds` times. */
  gatherDeadlineMs: number;
  gatherRounds: number;
}

export const DEFAULT_REPLICATION_TIMING: ReplicationTiming = {
  flushMs: 10,
  roundMs: 2_000,
  restRoundMs: 16_000,
  roundDeadlineMs: 1_500,
  gatherDeadlineMs: 500,
  gatherRounds: 4,
  digestLimit: 32,
  replyBudgetBytes: 1024 * 1024,
};

export interface ReplicatorInit {
  messenger: PeerMessenger;
  store: Store;
  results: ResultsCache;
  timing?: Partial<ReplicationTiming>;
}

interface Gather {
  waiting: Map<string, number>;
  done: () => void;
}

interface ReplicatorState {
  peers: string[];
  unflushed: Map<string, ExecutionDoc>;
  lastAsked: string | undefined;
  roundInFlight: boolean;
  rounds: number;
  /** Where the next page of older history ends (exclusive); undefined while the newest are all there is. */
  pageBefore: number | undefined;
  gathers: Map<number, Gather>;
  nextGather: number;
  /** The period of anti-entropy rounds now (roundPeriod). */
  roundEveryMs: number;
  /** The last page of older history brought something: its walk is not at rest yet. */
  pagesBringing: boolean;
}

/** The next period of anti-entropy rounds after a round that brought news or not (pure: see ReplicationTiming.restRoundMs). */
export function roundPeriod(currentMs: number, news: boolean, timing: Pick<ReplicationTiming, 'roundMs' | 'restRoundMs'>): number {
  return news ? timing.roundMs : Math.max(timing.roundMs, Math.min(timing.restRoundMs, currentMs * 2));
}

export function replicator(init: ReplicatorInit): Behaviour<ReplicationMessage, ReplicatorState> {
  const timing = { ...DEFAULT_REPLICATION_TIMING, ...init.timing };
  const { messenger, store } = init;
  const intake = { store, results: init.results };

  /** Send `peer` this peer's digest (of the newest, or of the page before `before`); the answer comes back as a message. */
  const pull = (ctx: ActorContext<ReplicationMessage>, peer: string, kind: { kind: 'round'; before?: number } | { kind: 'gather'; id: number }, deadlineMs: number) => {
    const before = kind.kind === 'round' ? kind.before : undefined;
    const digest = localDigest(store, timing, before);
    const purpose: Purpose = kind.kind === 'round' ? { kind: 'round', since: digest.since, ...(before !== undefined ? { before } : {}) } : kind;
    messenger.send(peer, 'replication.digest', digest, 'reliable', { deadlineMs }).then(
      (reply) => ctx.self.tell({ type: 'pulled', from: peer, purpose, reply }),
      (error: unknown) => ctx.self.tell({ type: 'pull.failed', from: peer, purpose, error }),
    );
  };

  const gatherStep = (ctx: ActorContext<ReplicationMessage>, state: ReplicatorState, id: number, peer: string, again: boolean) => {
    const gather = state.gathers.get(id);
    if (!gather) return;
    const asked = gather.waiting.get(peer) ?? 0;
    if (again && asked < timing.gatherRounds) {
      gather.waiting.set(peer, asked + 1);
      pull(ctx, peer, { kind: 'gather', id }, timing.gatherDeadlineMs);
      return;
    }
    gather.waiting.delete(peer);
    if (gather.waiting.size === 0) finishGather(ctx, state, id);
  };

  const finishGather = (ctx: ActorContext<ReplicationMessage>, state: ReplicatorState, id: number) => {
    const gather = state.gathers.get(id);
    if (!gather) return;
    state.gathers.delete(id);
    ctx.cancelTimer(`gather-${id}`);
    gather.done();
  };

  /** Something new here: rounds slowed at rest come back to their pace (at once, not after the slow period). */
  const busyAgain = (ctx: ActorContext<ReplicationMessage>, state: ReplicatorState) => {
    if (state.roundEveryMs <= timing.roundMs) return;
    state.roundEveryMs = timing.roundMs;
    ctx.startTimer('round', timing.roundMs, { type: 'round' });
  };

  /** Inbound handlers hand their work to the mailbox and answer when it is done. */
  const viaMailbox = <T>(ctx: ActorContext<ReplicationMessage>, make: (reply: (value: T) => void) => ReplicationMessage) =>
    new Promise<T>((resolve, reject) => {
      if (!ctx.self.tell(make(resolve))) reject(new McpError('REPLICATION_UNAVAILABLE', 'the replicator is not accepting messages'));
    });

  return {
    role: 'replication',

    init(ctx) {
      // The typed messenger has validated every request before these see it.
      messenger.on('execution.replicate', async ({ doc }) => ({ stored: await viaMailbox<boolean>(ctx, (reply) => ({ type: 'inbound.doc', doc, reply })) }));
      messenger.on('execution.replicate-delta', async (delta) => ({ stored: await viaMailbox<boolean>(ctx, (reply) => ({ type: 'inbound.delta', delta, reply })) }));
      messenger.on('replication.digest', (digest, from) => viaMailbox<DigestReply>(ctx, (reply) => ({ type: 'inbound.digest', from, digest, reply })));
      ctx.startTimer('round', timing.roundMs, { type: 'round' });
      return { peers: [], unflushed: new Map(), lastAsked: undefined, roundInFlight: false, rounds: 0, pageBefore: undefined, gathers: new Map(), nextGather: 1, roundEveryMs: timing.roundMs, pagesBringing: false };
    },

    receive(state, msg, ctx) {
      switch (msg.type) {
        case 'members': {
          const joined = msg.peers.some((p) => !state.peers.includes(p));
          state.peers = msg.peers;
          // Someone new (or this peer just started): compare now rather than at the next round.
          if (joined) {
            state.roundEveryMs = timing.roundMs;
            ctx.startTimer('round-now', 0, { type: 'round' });
          }
          break;
        }
        case 'doc.changed':
          busyAgain(ctx, state);
          state.unflushed.set(msg.doc.execution_id, msg.doc);
          if (state.unflushed.size === 1) ctx.startTimer('flush', timing.flushMs, { type: 'flush' });
          break;
        case 'flush':
          for (const doc of state.unflushed.values()) {
            for (const peer of state.peers) messenger.post(peer, 'execution.replicate', { doc }).catch(() => undefined);
          }
          state.unflushed.clear();
          break;
        case 'delta.stored':
          busyAgain(ctx, state);
          for (const peer of state.peers) messenger.post(peer, 'execution.replicate-delta', msg.delta).catch(() => undefined);
          break;
        case 'round': {
          ctx.startTimer('round', state.roundEveryMs, { type: 'round' });
          if (state.roundInFlight) break;
          const peer = nextPeer(state.peers, state.lastAsked);
          if (!peer) break;
          state.lastAsked = peer;
          state.roundInFlight = true;
          state.rounds++;
          // Mostly the newest executions (where replicas fall behind); now and then a page of older history.
          const before = state.rounds % PAGE_EVERY === 0 ? state.pageBefore : undefined;
          pull(ctx, peer, { kind: 'round', ...(before !== undefined ? { before } : {}) }, timing.roundDeadlineMs);
          break;
        }
        case 'gather': {
          const peers = msg.peers.filter((p) => p.length > 0);
          if (peers.length === 0) {
            msg.done();
            break;
          }
          const id = state.nextGather++;
          state.gathers.set(id, { waiting: new Map(peers.map((p) => [p, 1])), done: msg.done });
          // However the exchanges go, a takeover is never held up longer than this.
          ctx.startTimer(`gather-${id}`, timing.gatherDeadlineMs * (timing.gatherRounds + 1), { type: 'gather.timeout', id });
          for (const peer of peers) pull(ctx, peer, { kind: 'gather', id }, timing.gatherDeadlineMs);
          break;
        }
        case 'gather.timeout':
          if (state.gathers.has(msg.id)) ctx.log.warn('gathering replicas timed out', { waiting: [...state.gathers.get(msg.id)!.waiting.keys()].join(',') });
          finishGather(ctx, state, msg.id);
          break;
        case 'pulled': {
          const got = acceptAll(intake, msg.reply.docs, msg.reply.deltas);
          if (got.docs + got.deltas > 0) ctx.log.info('caught up from peer', { peer: msg.from, docs: got.docs, deltas: got.deltas, more: msg.reply.more });
          if (msg.purpose.kind === 'gather') gatherStep(ctx, state, msg.purpose.id, msg.from, msg.reply.more);
          else {
            state.roundInFlight = false;
            const { since, before } = msg.purpose;
            if (before === undefined) state.pageBefore ??= since > 0 ? since : undefined;
            else state.pageBefore = nextPage(before, since, got.docs + got.deltas > 0 || msg.reply.more);
            const news = got.docs + got.deltas > 0 || msg.reply.more;
            if (before !== undefined) state.pagesBringing = news;
            if (news || state.pagesBringing) busyAgain(ctx, state);
            else state.roundEveryMs = roundPeriod(state.roundEveryMs, false, timing);
            // The answer was cut to its budget: ask the same peer for the rest at once.
            if (msg.reply.more) {
              pull(ctx, msg.from, { kind: 'round', ...(before !== undefined ? { before } : {}) }, timing.roundDeadlineMs);
              state.roundInFlight = true;
            }
          }
          break;
        }
        case 'pull.failed':
          ctx.log.debug('no digest answer', { peer: msg.from, error: msg.error });
          if (msg.purpose.kind === 'gather') gatherStep(ctx, state, msg.purpose.id, msg.from, false);
          else state.roundInFlight = false;
          break;
        case 'inbound.doc':
          busyAgain(ctx, state);
          msg.reply(acceptDoc(intake, msg.doc));
          break;
        case 'inbound.delta':
          busyAgain(ctx, state);
          msg.reply(acceptDelta(intake, msg.delta));
          break;
        case 'inbound.digest':
          msg.reply(answerDigest(store, msg.digest, timing));
          break;
        default:
          assertNever(msg);
      }
      return state;
    },

    stop(state) {
      // A takeover waiting on this peer's replicas must not wait forever.
      for (const gather of state.gathers.values()) gather.done();
      state.gathers.clear();
    },
  };
}
