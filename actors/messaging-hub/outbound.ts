// The sending side: one attempt at a time per message, retries on the injected clock, one outcome per message.
import { randomUUID } from 'node:crypto';
import type { ActorContext } from '../../src/actor/types.js';
import { PermanentError, errorMessage } from '../../src/errors.js';
import { decodeReply, encodeFrame } from '../../src/protocol/frame.js';
import { backoffDelay } from './backoff.js';
import {
  DeadlineExceededError,
  DeliveryRejectedError,
  HubAbortedError,
  InvalidSendError,
  codeOf,
  isPermanent,
  type FailureDetails,
} from './errors.js';
import { AckFrame, HUB_PROTOCOL, type AttemptResult, type HubMessage, type SendOutcome } from './messages.js';
import { MODE_POLICY } from './modes.js';
import type { HubOptions } from './options.js';
import type { Delivery, HubState } from './state.js';
import { count } from './stats.js';

type Ctx = ActorContext<HubMessage>;
type SendMessage = Extract<HubMessage, { type: 'hub.send' }>;

const retryKey = (id: string) => `retry:${id}`;
const deadlineKey = (id: string) => `deadline:${id}`;

export function startDelivery(state: HubState, msg: SendMessage, options: HubOptions, ctx: Ctx): void {
  const policy = MODE_POLICY[msg.mode];
  const deadlineMs = policy.retries ? (msg.deadlineMs ?? options.messageTimeoutMs) : options.attemptTimeoutMs;
  if (!(deadlineMs > 0)) {
    msg.reply({ ok: false, error: new InvalidSendError(`deadline must be > 0 ms, got ${deadlineMs}`), attempts: 0 });
    return;
  }
  const now = ctx.clock.now();
  // Random ids, not a counter: a restarted sender must not reuse an id the receiver still remembers.
  const delivery: Delivery = {
    id: randomUUID(),
    to: msg.to,
    kind: msg.kind,
    payload: msg.payload,
    mode: msg.mode,
    startedAt: now,
    deadlineMs,
    deadlineAt: now + deadlineMs,
    reply: msg.reply,
    attempts: 0,
    lastError: undefined,
  };
  state.outbound.set(delivery.id, delivery);
  count(state.stats, msg.mode, 'sent');
  if (policy.retries) ctx.startTimer(deadlineKey(delivery.id), deadlineMs, { type: 'hub.deadline', id: delivery.id });
  if (!policy.awaitsAck) msg.reply({ ok: true, result: undefined, attempts: 1 });
  attempt(state, delivery, options, ctx);
}

/** A retry timer fired. */
export function retryDelivery(state: HubState, id: string, options: HubOptions, ctx: Ctx): void {
  const delivery = state.outbound.get(id);
  if (delivery && delivery.deadlineAt > ctx.clock.now()) attempt(state, delivery, options, ctx);
}

function attempt(state: HubState, delivery: Delivery, options: HubOptions, ctx: Ctx): void {
  const n = ++delivery.attempts;
  if (n > 1) count(state.stats, delivery.mode, 'retried');
  const settle = (result: AttemptResult) => ctx.self.tell({ type: 'hub.attempt.settled', id: delivery.id, attempt: n, result });
  let frame: Uint8Array;
  try {
    frame = encodeFrame({ type: 'hub.message', id: delivery.id, kind: delivery.kind, mode: delivery.mode, payload: delivery.payload, attempt: n });
  } catch (error) {
    settle({ ok: false, error: new PermanentError('PERMANENT_PAYLOAD_NOT_JSON', `payload cannot be sent as JSON: ${errorMessage(error)}`) });
    return;
  }
  const timeoutMs = Math.max(1, Math.min(delivery.deadlineAt - ctx.clock.now(), options.attemptTimeoutMs));
  void (async () => {
    try {
      const ack = decodeReply(await options.transport.request(delivery.to, HUB_PROTOCOL, frame, { timeoutMs }), AckFrame);
      if (ack.id !== delivery.id) throw new PermanentError('PERMANENT_ACK_MISMATCH', `ack for ${ack.id} answered ${delivery.id}`);
      settle({ ok: true, result: ack.result });
    } catch (error) {
      settle({ ok: false, error });
    }
  })();
}

/** An attempt ended: finish on an ack or a permanent failure, otherwise retry after a backoff. */
export function attemptSettled(state: HubState, msg: Extract<HubMessage, { type: 'hub.attempt.settled' }>, options: HubOptions, ctx: Ctx): void {
  const delivery = state.outbound.get(msg.id);
  // Gone (the deadline passed) or superseded: a late answer changes nothing.
  if (!delivery || msg.attempt !== delivery.attempts) return;
  if (msg.result.ok) {
    finish(state, delivery, { ok: true, result: msg.result.result, attempts: delivery.attempts }, options, ctx);
    return;
  }
  delivery.lastError = msg.result.error;
  if (!MODE_POLICY[delivery.mode].retries || isPermanent(msg.result.error)) {
    finish(state, delivery, { ok: false, error: new DeliveryRejectedError(details(delivery), msg.result.error), attempts: delivery.attempts }, options, ctx);
    return;
  }
  const delay = backoffDelay(delivery.attempts, options.backoff, options.random());
  ctx.log.debug('retrying', { to: delivery.to, kind: delivery.kind, attempt: delivery.attempts, in_ms: delay, cause: codeOf(msg.result.error) });
  ctx.startTimer(retryKey(delivery.id), delay, { type: 'hub.attempt.start', id: delivery.id });
}

export function deadlinePassed(state: HubState, id: string, options: HubOptions, ctx: Ctx): void {
  const delivery = state.outbound.get(id);
  if (!delivery) return;
  const error = new DeadlineExceededError(details(delivery), delivery.deadlineMs, delivery.lastError);
  finish(state, delivery, { ok: false, error, attempts: delivery.attempts }, options, ctx);
}

/** The hub is stopping: every caller still waiting is told so. */
export function abortOutbound(state: HubState): void {
  for (const delivery of state.outbound.values()) {
    if (MODE_POLICY[delivery.mode].awaitsAck) delivery.reply({ ok: false, error: new HubAbortedError(delivery.to, delivery.kind), attempts: delivery.attempts });
  }
  state.outbound.clear();
}

function finish(state: HubState, delivery: Delivery, outcome: SendOutcome, options: HubOptions, ctx: Ctx): void {
  state.outbound.delete(delivery.id);
  ctx.cancelTimer(retryKey(delivery.id));
  ctx.cancelTimer(deadlineKey(delivery.id));
  count(state.stats, delivery.mode, outcome.ok ? 'delivered' : 'failed');
  // A fire-and-forget caller was answered when the frame went out; a failure is only logged and counted.
  if (MODE_POLICY[delivery.mode].awaitsAck) delivery.reply(outcome);
  else if (!outcome.ok) ctx.log.debug('fire-and-forget message lost', { to: delivery.to, kind: delivery.kind, error: outcome.error });
  try {
    options.onDelivery({
      mode: delivery.mode,
      kind: delivery.kind,
      to: delivery.to,
      ok: outcome.ok,
      attempts: delivery.attempts,
      elapsedMs: ctx.clock.now() - delivery.startedAt,
      ...(outcome.ok ? {} : { code: outcome.error.code }),
    });
  } catch (error) {
    ctx.log.warn('delivery observer failed', { error });
  }
}

function details(delivery: Delivery): FailureDetails {
  const cause = delivery.lastError;
  return { peer: delivery.to, kind: delivery.kind, mode: delivery.mode, attempts: delivery.attempts, cause_code: cause === undefined ? '' : codeOf(cause) };
}
