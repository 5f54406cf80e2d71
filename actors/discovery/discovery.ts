// The discovery actor: gossips this peer's heartbeat, keeps the membership view, says goodbye on stop.
import type { Behaviour, ActorContext } from '../../src/actor/types.js';
import { call, serve } from '../../src/protocol/rpc.js';
import { publishTopic, subscribeTopic } from '../../src/protocol/topics.js';
import type { Transport, Unsubscribe } from '../../src/transport/transport.js';
import { assertNever } from '../../src/util/assert-never.js';
import { disconnected, emptyView, heard, left, tick, type LivenessTiming, type MembershipView } from './membership.js';
import { HELLO_PROTOCOL, HelloFrame, type Member, type MemberInfo } from '../../src/protocol/membership.js';
import type { DiscoveryMessage, MembershipChange } from './messages.js';

export interface DiscoveryInit {
  transport: Transport;
  self: MemberInfo;
  heartbeatMs: number;
  timing: LivenessTiming;
  /** Every change, with the whole view after it (the members other than this peer). */
  onChange?: (change: MembershipChange, members: Member[]) => void;
}

interface DiscoveryState {
  self: MemberInfo;
  view: MembershipView;
  seq: number;
  unsubscribe: Unsubscribe[];
}

const LIVENESS_TICK_MS = 100;

export function discovery(init: DiscoveryInit): Behaviour<DiscoveryMessage, DiscoveryState> {
  const { transport, timing } = init;
  const report = (changes: MembershipChange[], view: MembershipView, ctx: ActorContext<DiscoveryMessage>) => {
    for (const change of changes) {
      if (change.kind === 'status' || change.kind === 'joined') {
        ctx.log.info(`member ${change.member.status}`, { node: change.member.node_id, was: change.kind === 'status' ? change.from : undefined });
      } else ctx.log.info(`member ${change.kind}`, { node: change.node_id });
      init.onChange?.(change, [...view.members.values()]);
    }
  };
  const hello = (peer: string, state: DiscoveryState, ctx: ActorContext<DiscoveryMessage>) => {
    call(transport, peer, HELLO_PROTOCOL, { type: 'member.hello', member: state.self }, HelloFrame, { timeoutMs: 3_000 })
      .then((reply) => ctx.self.tell({ type: 'member.heard', member: reply.member }))
      .catch((error: unknown) => ctx.log.debug('hello failed', { peer, error }));
  };

  return {
    role: 'discovery',

    init(ctx) {
      const state: DiscoveryState = { self: init.self, view: emptyView(), seq: 0, unsubscribe: [] };
      state.unsubscribe.push(
        subscribeTopic(transport, 'membership', (frame, from) => {
          switch (frame.type) {
            case 'member.heartbeat':
              if (frame.member.node_id === from) ctx.self.tell({ type: 'member.heard', member: frame.member });
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
        if (frame.member.node_id === from) ctx.self.tell({ type: 'member.heard', member: frame.member });
        return { type: 'member.hello', member: state.self };
      });
      ctx.startInterval('heartbeat', init.heartbeatMs, { type: 'heartbeat.tick' });
      ctx.startInterval('liveness', LIVENESS_TICK_MS, { type: 'liveness.tick' });
      ctx.self.tell({ type: 'heartbeat.tick' });
      for (const peer of transport.connectedPeers()) hello(peer, state, ctx);
      return state;
    },

    receive(state, msg, ctx) {
      const now = ctx.clock.now();
      switch (msg.type) {
        case 'heartbeat.tick':
          state.self = { ...state.self, addresses: transport.addresses() };
          publishTopic(transport, 'membership', { type: 'member.heartbeat', member: state.self, seq: state.seq++ }).catch(
            (error: unknown) => ctx.log.debug('heartbeat publish failed', { error }),
          );
          return state;
        case 'liveness.tick':
          report(tick(state.view, now, timing), state.view, ctx);
          return state;
        case 'member.heard':
          if (msg.member.node_id === transport.self) return state;
          report(heard(state.view, msg.member, now), state.view, ctx);
          if (!transport.connectedPeers().includes(msg.member.node_id)) transport.connect(msg.member.node_id, msg.member.addresses);
          return state;
        case 'member.left':
          report(left(state.view, msg.node_id, msg.started_at, now), state.view, ctx);
          return state;
        case 'peer.connected':
          hello(msg.peer, state, ctx);
          return state;
        case 'peer.disconnected':
          report(disconnected(state.view, msg.peer, now), state.view, ctx);
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
