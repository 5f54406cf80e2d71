// Hubs on an in-memory network with a fake clock, and a transport wrapper that loses replies.
import { ActorSystem } from '../../src/actor/system.js';
import { ask } from '../../src/actor/ask.js';
import type { Actor } from '../../src/actor/actor.js';
import { TransportError } from '../../src/transport/errors.js';
import { MemoryNetwork } from '../../src/transport/memory.js';
import type { RequestOptions, Transport } from '../../src/transport/transport.js';
import { FakeClock } from '../../src/util/clock.js';
import { messagingHub } from '../../actors/messaging-hub/hub.js';
import type { DeliveryMode, HubMessage, SendOutcome } from '../../actors/messaging-hub/messages.js';
import type { HubInit } from '../../actors/messaging-hub/options.js';
import type { HubState } from '../../actors/messaging-hub/state.js';

/** Let every queued microtask and zero-delay timer run (mailboxes, in-memory requests). */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setTimeout(r, 0));
}

export type HubOverrides = Partial<Omit<HubInit, 'transport'>> & { wrap?: (t: Transport) => Transport };

/** With `random` fixed at 0 the jitter takes nothing off: retries 100, 200, 400, 400… ms after each failure. */
export const TEST_BACKOFF = { initialMs: 100, maxMs: 400, factor: 2, jitter: 0.5 };

export async function memoryHubs(ids: string[], overrides: Record<string, HubOverrides> = {}) {
  const clock = new FakeClock(0);
  const network = new MemoryNetwork();
  const system = new ActorSystem({ clock });
  const transports: Record<string, Transport> = {};
  const hubs: Record<string, Actor<HubMessage, HubState>> = {};
  for (const id of ids) {
    const { wrap, ...init } = overrides[id] ?? {};
    const inner = network.createTransport(id);
    transports[id] = wrap ? wrap(inner) : inner;
    hubs[id] = await system.spawn(messagingHub({ transport: transports[id]!, backoff: TEST_BACKOFF, random: () => 0, ...init }));
  }
  network.connectAll();
  /** Move the fake clock in steps, letting async work run between them. */
  const advance = async (ms: number, step = 50) => {
    await settle(); // messages told just before run at the current time, not after the first step
    for (let t = 0; t < ms; t += step) {
      clock.advance(Math.min(step, ms - t));
      await settle();
    }
  };
  return { clock, network, system, transports, hubs, advance };
}

/** Send through a hub and keep the outcome (never rejects), so a test can move the clock while it is pending. */
export function deliver(hub: Actor<HubMessage, HubState>, to: string, kind: string, payload: unknown, mode: DeliveryMode, deadlineMs?: number) {
  const box: { outcome?: SendOutcome } = {};
  const promise = ask<HubMessage, SendOutcome>(hub, (reply) => ({ type: 'hub.send', to, kind, payload, mode, deadlineMs, reply }), 600_000).then(
    (outcome) => (box.outcome = outcome),
  );
  return Object.assign(box, { promise });
}

/** Passes requests through, but loses the first `count` replies (the receiver did handle those frames). */
export class LosingReplies implements Transport {
  readonly lost: Uint8Array[] = [];
  readonly #inner: Transport;
  readonly #count: number;

  constructor(inner: Transport, count = 1) {
    this.#inner = inner;
    this.#count = count;
  }

  get self(): string {
    return this.#inner.self;
  }

  async request(peer: string, protocol: string, data: Uint8Array, options?: RequestOptions): Promise<Uint8Array> {
    const reply = await this.#inner.request(peer, protocol, data, options);
    if (this.lost.length >= this.#count) return reply;
    this.lost.push(reply);
    throw new TransportError('TRANSPORT_TIMEOUT', 'reply lost on the way back (test)');
  }

  addresses = () => this.#inner.addresses();
  connectedPeers = () => this.#inner.connectedPeers();
  roundTripMs = (peer: string) => this.#inner.roundTripMs(peer);
  publish: Transport['publish'] = (topic, data) => this.#inner.publish(topic, data);
  subscribe: Transport['subscribe'] = (topic, handler) => this.#inner.subscribe(topic, handler);
  handle: Transport['handle'] = (protocol, handler) => this.#inner.handle(protocol, handler);
  connect: Transport['connect'] = (peer, addresses) => this.#inner.connect(peer, addresses);
  onPeerEvent: Transport['onPeerEvent'] = (listener) => this.#inner.onPeerEvent(listener);
  stop = () => this.#inner.stop();
}
