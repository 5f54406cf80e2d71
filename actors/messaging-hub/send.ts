// Helpers for other actors: send a message through the hub and await its result, read its counters.
import { ask } from '../../src/actor/ask.js';
import type { ActorRef } from '../../src/actor/types.js';
import type { DeliveryMode, HubHandler, HubMessage, SendOutcome } from './messages.js';
import { DEFAULT_MESSAGE_TIMEOUT_MS } from './options.js';
import type { HubStats } from './stats.js';

export interface SendOptions {
  /** Give up after this long (retrying modes); defaults to the hub's message timeout. */
  deadlineMs?: number;
  /**
   * Guard against a hub that never answers (its mailbox dropped the message). Defaults to the deadline
   * (or 60 s) plus 5 s: pass it when the hub's message timeout is longer than 60 s.
   */
  askTimeoutMs?: number;
}

const ASK_MARGIN_MS = 5_000;

/** Resolves with the receiver's result (undefined for fire-and-forget); rejects with the McpError of the outcome. */
export async function send(
  hub: ActorRef<HubMessage>,
  to: string,
  kind: string,
  payload: unknown,
  mode: DeliveryMode,
  options: SendOptions = {},
): Promise<unknown> {
  const { deadlineMs } = options;
  const askTimeoutMs = options.askTimeoutMs ?? (deadlineMs ?? DEFAULT_MESSAGE_TIMEOUT_MS) + ASK_MARGIN_MS;
  const outcome = await ask<HubMessage, SendOutcome>(hub, (reply) => ({ type: 'hub.send', to, kind, payload, mode, deadlineMs, reply }), askTimeoutMs);
  if (!outcome.ok) throw outcome.error;
  return outcome.result;
}

export function hubStats(hub: ActorRef<HubMessage>, timeoutMs?: number): Promise<HubStats> {
  return ask<HubMessage, HubStats>(hub, (reply) => ({ type: 'hub.stats', reply }), timeoutMs);
}

/** Register (or replace) the handler of one kind. False when the hub is not accepting messages. */
export function register(hub: ActorRef<HubMessage>, kind: string, handler: HubHandler): boolean {
  return hub.tell({ type: 'hub.register', kind, handler });
}
