// The receiving side: frames go through the hub's mailbox so that the de-duplication memory has one owner;
// handlers run outside it, so a slow handler does not hold up other messages.
import type { ActorContext } from '../../src/actor/types.js';
import { McpError, errorMessage } from '../../src/errors.js';
import { serve } from '../../src/protocol/rpc.js';
import type { Transport } from '../../src/transport/transport.js';
import { HUB_UNAVAILABLE, UNKNOWN_KIND } from './errors.js';
import { HUB_PROTOCOL, MessageFrame, type HubHandler, type HubMessage, type InboundReply } from './messages.js';
import { MODE_POLICY } from './modes.js';
import type { HubState } from './state.js';
import { count } from './stats.js';

type Ctx = ActorContext<HubMessage>;
type InboundMessage = Extract<HubMessage, { type: 'hub.inbound' }>;

/** Serve the hub protocol: invalid frames are answered by `serve`; valid ones become `hub.inbound` messages. */
export function serveHub(transport: Transport, ctx: Ctx): void {
  serve(transport, HUB_PROTOCOL, MessageFrame, (frame, from) => {
    return new Promise((resolve, reject) => {
      const respond = (reply: InboundReply) =>
        reply.ok ? resolve({ type: 'hub.ack', id: frame.id, result: reply.result }) : reject(new McpError(reply.code, reply.message));
      if (!ctx.self.tell({ type: 'hub.inbound', frame, from, respond })) respond(unavailable());
    });
  });
}

export function receiveInbound(state: HubState, msg: InboundMessage, registry: ReadonlyMap<string, HubHandler>, ctx: Ctx): void {
  const { frame, from, respond } = msg;
  const handler = registry.get(frame.kind);
  if (!handler) {
    respond({ ok: false, code: UNKNOWN_KIND, message: `no handler for ${frame.kind} on this peer` });
    return;
  }
  if (!MODE_POLICY[frame.mode].dedup) {
    void run(handler, frame.payload, from).then(respond);
    return;
  }
  // Keyed by the authenticated sender too: one peer cannot shadow another's ids.
  const key = `${from}\n${frame.id}`;
  const handled = state.handled.get(key, ctx.clock.now());
  if (handled) {
    count(state.stats, frame.mode, 'duplicatesSuppressed');
    respond({ ok: true, result: handled.value });
    return;
  }
  const waiting = state.running.get(key);
  if (waiting) {
    // A retry that overtook the first attempt's handler: it waits for the same reply.
    count(state.stats, frame.mode, 'duplicatesSuppressed');
    waiting.push(respond);
    return;
  }
  state.running.set(key, [respond]);
  void run(handler, frame.payload, from).then((reply) => ctx.self.tell({ type: 'hub.handled', key, reply }));
}

/** An exactly-once handler finished. Only a success is remembered: a failed attempt did not handle the message. */
export function inboundHandled(state: HubState, key: string, reply: InboundReply, ctx: Ctx): void {
  const waiting = state.running.get(key);
  if (!waiting) return; // started before a restart; its callers were answered then
  state.running.delete(key);
  if (reply.ok) state.handled.set(key, reply.result, ctx.clock.now());
  for (const respond of waiting) respond(reply);
}

/** The hub is stopping: whoever waits for a running handler gets a retryable error. */
export function abortInbound(state: HubState): void {
  for (const waiting of state.running.values()) for (const respond of waiting) respond(unavailable());
  state.running.clear();
}

async function run(handler: HubHandler, payload: unknown, from: string): Promise<InboundReply> {
  try {
    return { ok: true, result: await handler(payload, from) };
  } catch (error) {
    return { ok: false, code: error instanceof McpError ? error.code : 'INTERNAL', message: errorMessage(error) };
  }
}

function unavailable(): InboundReply {
  return { ok: false, code: HUB_UNAVAILABLE, message: 'messaging hub is not running' };
}
