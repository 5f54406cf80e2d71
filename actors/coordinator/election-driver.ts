// Runs the pure election over a Transport: effects become requests, replies become events.
// Used by the coordinator actor, which feeds it ticks and membership and owns its state.
import { decodeReply, encodeFrame } from '../../src/protocol/frame.js';
import type { Transport } from '../../src/transport/transport.js';
import type { Logger } from '../../src/util/log.js';
import { initialState, inOffice, nextTick, step, type DurableElectionState, type ElectionEffect, type ElectionEvent, type ElectionMessage, type ElectionState, type ElectionTiming, type Random } from './election.js';
import { ELECTION_PROTOCOL, ElectionFrame } from '../../src/protocol/election.js';

export interface ElectionDriverInit {
  transport: Transport;
  timing: ElectionTiming;
  random?: Random;
  log: Logger;
  loadDurable(): DurableElectionState;
  saveDurable(state: DurableElectionState): void;
  /** Called with every role change (in the same turn as the step that caused it). */
  onRole(role: { role: ElectionState['role']; term: number; coordinator: string | null }): void;
  /** Replies to our requests arrive asynchronously: hand them back through the owner's mailbox. */
  deliver(from: string, message: ElectionMessage): void;
}

export class ElectionDriver {
  state: ElectionState;
  readonly #init: ElectionDriverInit;
  readonly #random: Random;

  constructor(init: ElectionDriverInit, now: number, electorate: readonly string[]) {
    this.#init = init;
    this.#random = init.random ?? Math.random;
    this.state = initialState(init.transport.self, init.loadDurable(), electorate, now, init.timing, this.#random);
  }

  inOffice(now: number): boolean {
    return inOffice(this.state, now);
  }

  /** When the election next needs a tick (at or before `now`: at once); nothing changes until then. */
  nextTick(now: number): number {
    return nextTick(this.state, now, this.#init.timing);
  }

  /** Apply one event; returns the reply to send back when the event was an inbound request. */
  apply(event: ElectionEvent): ElectionMessage | undefined {
    const { state, effects } = step(this.state, event, this.#init.timing, this.#random);
    this.state = state;
    let reply: ElectionMessage | undefined;
    for (const effect of effects) {
      const isReply = event.type === 'receive' && effect.type === 'send' && effect.to === event.from && (effect.message.type === 'prevote.reply' || effect.message.type === 'vote.reply' || effect.message.type === 'coordinator.ack');
      if (isReply && !reply) reply = effect.message;
      else this.#effect(effect);
    }
    return reply;
  }

  #effect(effect: ElectionEffect): void {
    switch (effect.type) {
      case 'persist':
        this.#init.saveDurable(effect.state);
        break;
      case 'role':
        this.#init.onRole(effect);
        break;
      case 'send':
        void this.#send(effect.to, effect.message);
        break;
    }
  }

  async #send(to: string, message: ElectionMessage): Promise<void> {
    const { transport, timing } = this.#init;
    try {
      const bytes = await transport.request(to, ELECTION_PROTOCOL, encodeFrame(message), { timeoutMs: timing.leaseMs });
      const reply = decodeReply(bytes, ElectionFrame);
      if (reply.type !== 'election.none') this.#init.deliver(to, reply);
    } catch (error) {
      this.#init.log.debug('election message not delivered', { to, type: message.type, error });
    }
  }
}
