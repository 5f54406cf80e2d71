// Direct messages typed by kind: `send(to, 'task.assign', payload)` checks the payload against the
// kind's declaration and returns its reply type. Requests are validated on receipt (an invalid one is
// refused for good with a PERMANENT_INVALID error naming the fields) and replies on return.
import type { DeliveryMode, Messenger } from '../messaging.js';
import { parseOrThrow } from '../validation.js';
import { PEER_PROTOCOL, type PeerKind, type ReceivedRequest, type ReplyIn, type ReplyOf, type RequestOf } from './peer-protocol.js';

export type AcknowledgedMode = Exclude<DeliveryMode, 'fire-and-forget'>;

export interface PeerMessenger {
  /** Send and wait for the receiver's validated reply; rejects with an McpError when the mode gives up. */
  send<K extends PeerKind>(to: string, kind: K, payload: RequestOf<K>, mode: AcknowledgedMode, options?: { deadlineMs?: number }): Promise<ReplyOf<K>>;
  /** Fire and forget: no reply, no retry. */
  post<K extends PeerKind>(to: string, kind: K, payload: RequestOf<K>): Promise<void>;
  /** Handle one kind; a throw becomes an error reply with the error's code. */
  on<K extends PeerKind>(kind: K, handler: (payload: ReceivedRequest<K>, from: string) => ReplyIn<K> | Promise<ReplyIn<K>>): void;
}

export function peerMessenger(raw: Messenger): PeerMessenger {
  return {
    async send(to, kind, payload, mode, options) {
      const spec = PEER_PROTOCOL[kind];
      const reply = await raw.send(to, spec.wire, payload, mode, options);
      return parseOrThrow(spec.reply, reply, 'WIRE_INVALID_REPLY', `invalid reply to ${spec.wire} from ${to}`) as ReplyOf<typeof kind>;
    },
    async post(to, kind, payload) {
      await raw.send(to, PEER_PROTOCOL[kind].wire, payload, 'fire-and-forget');
    },
    on(kind, handler) {
      const spec = PEER_PROTOCOL[kind];
      raw.on(spec.wire, (payload, from) => {
        const request = parseOrThrow(spec.request, payload, 'PERMANENT_INVALID', `invalid ${spec.wire}`) as ReceivedRequest<typeof kind>;
        return handler(request, from);
      });
    },
  };
}
