// The discovery actor: gossips this peer's heartbeat, keeps the membership view, says goodbye on stop.
import type { Behaviour, ActorContext } from '../../src/actor/types.js';
import { call, serve } from '../../src/protocol/rpc.js';
import { publishTopic, subscribeTopic } from '../../src/protocol/topics.js';
import type { Transport, Unsubscribe } from '../../src/transport/transport.js';
import { assertNever } from '../../src/util/assert-never.js';
import { disconnected, emptyView, heard, left, nextChange, tick, type LivenessTiming, type MembershipView } from './membership.js';
import { HELLO_PROTOCOL, HelloFrame, type KnownPeer, type Member, type MemberInfo } from '../../src/protocol/membership.js';
import type { DiscoveryMessage, MembershipChange } from './messages.js';

export interface DiscoveryInit {
  transport: Transport;
  self: MemberInfo;
  heartbeatMs: number;
  /**
   * The heartbeat period at rest (no `pace` busy): each heartbeat says the period it keeps to, and the
   * others judge its silence against it. At heartbeatMs when absent.
   */
  restHeartbeatMs?: number;
  timing: LivenessTiming;
  /** Every change, with the whole view after it (the members other than this peer). */
  onChange?: (change: MembershipChange, members: Member[]) => void;
}

interface DiscoveryState {
  self: MemberInfo;
  view: MembershipView;
  seq: number;
  unsubscribe: Unsubscribe[];
  /** When the liveness timer is set to fire (Infinity: not set). */
  livenessAt: number;
  /** The heartbeat period kept to now (and said in each heartbeat). */
  everyMs: number;
}

export function discovery(init: DiscoveryInit): Behaviour<DiscoveryMessage, DiscoveryState> {
  const { transport, timing } = init;
  const restMs = Math.max(init.heartbeatMs, init.restHeartbeatMs ?? init.heartbeatMs);
  const report = (changes: MembershipChange[], view: MembershipView, ctx: ActorContext<DiscoveryMessage>) => {
    for (const change of changes) {
      if (change.kind === 'status' || change.kind === 'joined') {
        ctx.log.info(`member ${change.member.status}`, { node: change.member.node_id, was: change.kind === 'status' ? change.from : undefined });
      } else ctx.log.info(`member ${change.kind}`, { node: change.node_id });
      init.onChange?.(change, [...view.members.values()]);
    }
  };
  /** Our hello: who we are, and the members we hear from (so that the other can connect to them too). */
  const helloFrame = (state: DiscoveryState) => ({
    type: 'member.hello' as const,
    member: state.self,
    peers: [...state.view.members.values()].filter((m) => m.status !== 'dead').map((m) => ({ node_id: m.node_id, addresses: m.addresses })),
    every_ms: state.everyMs,
  });
  const heardHello = (frame: { member: MemberInfo; peers?: KnownPeer[] | undefined; every_ms?: number | undefined }, ctx: ActorContext<DiscoveryMessage>) => {
    ctx.self.tell({ type: 'member.heard', member: frame.member, ...(frame.every_ms !== undefined ? { everyMs: frame.every_ms } : {}) });
    if (frame.peers && frame.peers.length > 0) ctx.self.tell({ type: 'peers.heard', peers: frame.peers });
  };
  const hello = (peer: string, state: DiscoveryState, ctx: ActorContext<DiscoveryMessage>) => {
    call(transport, peer, HELLO_PROTOCOL, helloFrame(state), HelloFrame, { timeoutMs: 3_000 })
      .then((reply) => reply.member.node_id === peer && heardHello(reply, ctx))
      .catch((error: unknown) => ctx.log.debug('hello failed', { peer, error }));
  };

  /**
   * Sleep until the view can next change by itself (someone silent long enough to be suspect, dead or
   * forgotten) instead of ticking. The timer is moved only when that comes earlier: a heartbeat puts its
   * sender's deadline later, and a timer that fires early finds nothing to do and sets the next one.
   */
  const wake = (state: DiscoveryState, ctx: ActorContext<DiscoveryMessage>) => {
    const at = nextChange(state.view, timing);
    if (at >= state.livenessAt) return;
    state.livenessAt = at;
    ctx.startTimer('liveness', Math.max(0, at - ctx.clock.now()), { type: 'liveness.tick' });
  };

  return {
    role: 'discovery',

    init(ctx) {
      const state: DiscoveryState = { self: init.self, view: emptyView(), seq: 0, unsubscribe: [], livenessAt: Infinity, everyMs: restMs };
      state.unsubscribe.push(
        subscribeTopic(transport, 'membership', (frame, from) => {
          switch (frame.type) {
            case 'member.heartbeat':
              if (frame.member.node_id === from) ctx.self.tell({ type: 'member.heard', member: frame.member, ...(frame.every_ms !== undefined ? { everyMs: frame.every_ms } : {}) });
              break;
            case 'member.leave':
              if (frame.node_id === from) ctx.self.tell({ type: 'member.left', node_id: frame.node_id, started_at: frame.started_at });
              break;
            default:
              assertNever(frame);
          }
        }, ctx.log),
        transport.onPeerEvent((event) => ctx.self.tell(event)),
      );
      serve(transport, HELLO_PROTOCOL, HelloFrame, (frame, from) => {
        if (frame.member.node_id === from) heardHello(frame, ctx);
        return helloFrame(state);
      });
      ctx.startInterval('heartbeat', state.everyMs, { type: 'heartbeat.tick' });
      ctx.self.tell({ type: 'heartbeat.tick' });
      for (const peer of transport.connectedPeers()) hello(peer, state, ctx);
      return state;
    },

    receive(state, msg, ctx) {
      const now = ctx.clock.now();
      switch (msg.type) {
        case 'heartbeat.tick':
          state.self = { ...state.self, addresses: transport.addresses() };
          publishTopic(transport, 'membership', { type: 'member.heartbeat', member: state.self, seq: state.seq++, every_ms: state.everyMs }).catch(
            (error: unknown) => ctx.log.debug('heartbeat publish failed', { error }),
          );
          return state;
        case 'pace': {
          const everyMs = msg.busy ? init.heartbeatMs : restMs;
          if (everyMs === state.everyMs) return state;
          // A heartbeat at once says the new period: slowing down, before the others would find us silent
          // by the old one; speeding up, so that they judge us by the shorter one from now.
          state.everyMs = everyMs;
          ctx.startInterval('heartbeat', everyMs, { type: 'heartbeat.tick' });
          ctx.self.tell({ type: 'heartbeat.tick' });
          return state;
        }
        case 'liveness.tick':
          state.livenessAt = Infinity;
          report(tick(state.view, now, timing), state.view, ctx);
          wake(state, ctx);
          return state;
        case 'member.heard': {
          if (msg.member.node_id === transport.self) return state;
          const changes = heard(state.view, msg.member, now, msg.everyMs);
          report(changes, state.view, ctx);
          wake(state, ctx);
          // A new member gets our hello, with the members we know: it may know only its seed, and the
          // pairs of members that joined us one after the other meet that way (peers.heard).
          if (changes.some((c) => c.kind === 'joined')) hello(msg.member.node_id, state, ctx);
          // Heard again after silence or a closed connection, or for the first time: make sure we are
          // connected (a steady member is: its heartbeats come straight from it).
          if (changes.length > 0 && !transport.connectedPeers().includes(msg.member.node_id)) transport.connect(msg.member.node_id, msg.member.addresses);
          return state;
        }
        case 'peers.heard':
          for (const peer of msg.peers) {
            if (peer.node_id !== transport.self && !state.view.members.has(peer.node_id)) transport.connect(peer.node_id, peer.addresses);
          }
          return state;
        case 'member.left':
          report(left(state.view, msg.node_id, msg.started_at, now), state.view, ctx);
          wake(state, ctx);
          return state;
        case 'peer.connected':
          hello(msg.peer, state, ctx);
          return state;
        case 'peer.disconnected':
          report(disconnected(state.view, msg.peer, now), state.view, ctx);
          wake(state, ctx);
          return state;
        case 'members.get':
          msg.reply([...state.view.members.values()]);
          return state;
        case 'leave':
          ctx.cancelTimer('heartbeat');
          publishTopic(transport, 'membership', { type: 'member.leave', node_id: state.self.node_id, started_at: state.self.started_at })
            .catch((error: unknown) => ctx.log.debug('leave publish failed', { error }))
            .finally(msg.reply);
          return state;
        default:
          return assertNever(msg);
      }
    },

    stop(state) {
      for (const unsubscribe of state.unsubscribe) unsubscribe();
    },
  };
}

export type { Member };
