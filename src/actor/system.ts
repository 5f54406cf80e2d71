// Spawns actors with shared defaults and stops them in reverse order.
import { systemClock, type Clock } from '../util/clock.js';
import { silentLogger, type Logger } from '../util/log.js';
import { Actor } from './actor.js';
import type { ActorStats, Behaviour, Escalation, MailboxOptions, Message, SupervisionOptions } from './types.js';

export const DEFAULT_MAILBOX: MailboxOptions = { capacity: 10_000, overflow: 'drop-oldest' };
export const DEFAULT_SUPERVISION: SupervisionOptions = { maxRestarts: 5, windowMs: 60_000, backoffMs: 100, maxBackoffMs: 5_000 };

export interface ActorSystemOptions {
  clock?: Clock;
  log?: Logger;
  onEscalate?: (escalation: Escalation) => void;
}

export interface SpawnOptions {
  mailbox?: Partial<MailboxOptions>;
  supervision?: Partial<SupervisionOptions>;
}

export class ActorSystem {
  readonly clock: Clock;
  readonly log: Logger;
  readonly #actors: Actor<Message, unknown>[] = [];
  readonly #onEscalate: (escalation: Escalation) => void;

  constructor(options: ActorSystemOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.log = options.log ?? silentLogger;
    this.#onEscalate = options.onEscalate ?? ((e) => this.log.error('unsupervised escalation', { role: e.role, error: e.error }));
  }

  async spawn<M extends Message, S>(behaviour: Behaviour<M, S>, options: SpawnOptions = {}): Promise<Actor<M, S>> {
    const actor = new Actor<M, S>(behaviour, {
      clock: this.clock,
      log: this.log,
      mailbox: { ...DEFAULT_MAILBOX, ...options.mailbox },
      supervision: { ...DEFAULT_SUPERVISION, ...options.supervision },
      onEscalate: this.#onEscalate,
    });
    this.#actors.push(actor as unknown as Actor<Message, unknown>);
    await actor.start();
    return actor;
  }

  stats(): ActorStats[] {
    return this.#actors.map((a) => a.stats());
  }

  async stop(): Promise<void> {
    for (const actor of [...this.#actors].reverse()) await actor.stop();
    this.#actors.length = 0;
  }
}
