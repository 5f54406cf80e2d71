// Direct peer-to-peer messages: what crosses the wire (validated) and what the hub actor receives (a closed union).
import { z } from 'zod';
import type { McpError } from '../../src/errors.js';
import { DELIVERY_MODES, type DeliveryMode } from '../../src/messaging.js';
import type { HubStats } from './stats.js';

export const HUB_PROTOCOL = '/mcpdt/hub/1.0.0';

export { DELIVERY_MODES, type DeliveryMode };

export const MessageFrame = z.object({
  v: z.literal(1),
  type: z.literal('hub.message'),
  id: z.string().min(1).max(128),
  kind: z.string().min(1).max(128),
  mode: z.enum(DELIVERY_MODES),
  payload: z.unknown().optional(),
  attempt: z.number().int().positive(),
});
export type MessageFrame = z.infer<typeof MessageFrame>;

export const AckFrame = z.object({
  v: z.literal(1),
  type: z.literal('hub.ack'),
  id: z.string(),
  result: z.unknown().optional(),
});
export type AckFrame = z.infer<typeof AckFrame>;

/**
 * Handles one kind of message. The result travels back in the ack (JSON). A throw fails the attempt:
 * retried by the retrying modes, unless it is a PermanentError.
 */
export type HubHandler = (payload: unknown, from: string) => unknown;
export type HubHandlers = Readonly<Record<string, HubHandler>> | ReadonlyMap<string, HubHandler>;

export type SendOutcome = { ok: true; result: unknown; attempts: number } | { ok: false; error: McpError; attempts: number };

/** What the receiving side answers one inbound frame with (before encoding). */
export type InboundReply = { ok: true; result: unknown } | { ok: false; code: string; message: string };

/** One finished delivery, for metrics. `elapsedMs` is measured on the hub's clock. */
export interface DeliveryReport {
  mode: DeliveryMode;
  kind: string;
  to: string;
  ok: boolean;
  attempts: number;
  elapsedMs: number;
  code?: string;
}

export type AttemptResult = { ok: true; result: unknown } | { ok: false; error: unknown };

/** Messages of the hub actor. The `hub.attempt.*`, `hub.deadline`, `hub.inbound` and `hub.handled` ones are its own. */
export type HubMessage =
  | {
      type: 'hub.send';
      to: string;
      kind: string;
      payload: unknown;
      mode: DeliveryMode;
      /** Give up after this long (retrying modes). Defaults to the hub's message timeout. */
      deadlineMs?: number;
      reply: (outcome: SendOutcome) => void;
    }
  | { type: 'hub.register'; kind: string; handler: HubHandler }
  | { type: 'hub.stats'; reply: (stats: HubStats) => void }
  | { type: 'hub.attempt.start'; id: string }
  | { type: 'hub.attempt.settled'; id: string; attempt: number; result: AttemptResult }
  | { type: 'hub.deadline'; id: string }
  | { type: 'hub.inbound'; frame: MessageFrame; from: string; respond: (reply: InboundReply) => void }
  | { type: 'hub.handled'; key: string; reply: InboundReply };
