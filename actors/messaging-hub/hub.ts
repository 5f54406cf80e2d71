// The messaging-hub actor: direct peer-to-peer messages in four delivery modes (see modes.ts) over the Transport.
import type { Behaviour } from '../../src/actor/types.js';
import { assertNever } from '../../src/util/assert-never.js';
import { abortInbound, inboundHandled, receiveInbound, serveHub } from './inbound.js';
import type { HubMessage } from './messages.js';
import { resolveHubOptions, type HubInit } from './options.js';
import { abortOutbound, attemptSettled, deadlinePassed, retryDelivery, startDelivery } from './outbound.js';
import { initialState, type HubState } from './state.js';
import { snapshot } from './stats.js';

export function messagingHub(init: HubInit): Behaviour<HubMessage, HubState> {
  const options = resolveHubOptions(init);
  // Registrations are configuration, not soft state: they live beside the behaviour so that a restart keeps them.
  const registry = new Map(options.handlers);

  return {
    role: 'messaging-hub',

    init(ctx) {
      serveHub(options.transport, ctx);
      return initialState(options);
    },

    receive(state, msg, ctx) {
      switch (msg.type) {
        case 'hub.send':
          startDelivery(state, msg, options, ctx);
          return state;
        case 'hub.register':
          registry.set(msg.kind, msg.handler);
          return state;
        case 'hub.stats':
          msg.reply(snapshot(state.stats, state.outbound.size));
          return state;
        case 'hub.attempt.start':
          retryDelivery(state, msg.id, options, ctx);
          return state;
        case 'hub.attempt.settled':
          attemptSettled(state, msg, options, ctx);
          return state;
        case 'hub.deadline':
          deadlinePassed(state, msg.id, options, ctx);
          return state;
        case 'hub.inbound':
          receiveInbound(state, msg, registry, ctx);
          return state;
        case 'hub.handled':
          inboundHandled(state, msg.key, msg.reply, ctx);
          return state;
        default:
          return assertNever(msg);
      }
    },

    stop(state) {
      abortOutbound(state);
      abortInbound(state);
    },
  };
}
