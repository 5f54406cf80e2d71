// The Messenger that roles use, over the messaging-hub actor. A message to this peer itself is handled
// in place (a transport cannot dial itself).
import type { ActorRef } from './actor/types.js';
import type { Messenger } from './messaging.js';
import { McpError } from './errors.js';
import { register, send } from '../actors/messaging-hub/send.js';
import type { HubHandler, HubMessage } from '../actors/messaging-hub/messages.js';

export function hubMessenger(hub: ActorRef<HubMessage>, self: string): Messenger {
  const local = new Map<string, HubHandler>();
  return {
    async send(to, kind, payload, mode, options = {}) {
      if (to === self) {
        const handler = local.get(kind);
        if (!handler) throw new McpError('HUB_UNKNOWN_KIND', `no handler for ${kind} on this peer`);
        // A round trip through JSON, as on the wire: no shared objects between roles.
        return handler(JSON.parse(JSON.stringify(payload)) as unknown, self);
      }
      return send(hub, to, kind, payload, mode, options.deadlineMs !== undefined ? { deadlineMs: options.deadlineMs } : {});
    },
    on(kind, handler) {
      local.set(kind, handler);
      register(hub, kind, handler);
    },
  };
}
