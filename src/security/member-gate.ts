// Only members act: a direct request is served only when its sender (the peer id libp2p authenticated)
// is a member of this peer's view; others get a coded error frame and reach no handler.
import { encodeError } from '../protocol/frame.js';
import type { Transport } from '../transport/transport.js';

export const NOT_A_MEMBER = 'NOT_A_MEMBER';

/**
 * The same transport, with every handler behind the membership check, except on `open` protocols (the
 * ones by which a peer becomes a member). The code is not PERMANENT_: a peer that has just joined is
 * refused until its first heartbeat arrives here, and its retry then goes through.
 */
export function memberGatedTransport(inner: Transport, isMember: (peer: string) => boolean, open: readonly string[]): Transport {
  const ungated = new Set(open);
  return {
    get self() {
      return inner.self;
    },
    addresses: () => inner.addresses(),
    connectedPeers: () => inner.connectedPeers(),
    roundTripMs: (peer) => inner.roundTripMs(peer),
    publish: (topic, data) => inner.publish(topic, data),
    subscribe: (topic, handler) => inner.subscribe(topic, handler),
    handle(protocol, handler) {
      if (ungated.has(protocol)) return inner.handle(protocol, handler);
      inner.handle(protocol, (request) => {
        if (request.from !== inner.self && !isMember(request.from)) {
          return encodeError(NOT_A_MEMBER, `${protocol} is served to members only; ${request.from.slice(0, 64)} is not one`);
        }
        return handler(request);
      });
    },
    request: (peer, protocol, data, options) => inner.request(peer, protocol, data, options),
    connect: (peer, addresses) => inner.connect(peer, addresses),
    onPeerEvent: (listener) => inner.onPeerEvent(listener),
    stop: () => inner.stop(),
  };
}
