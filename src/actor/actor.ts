// One running actor: a mailbox drained one message at a time, timers as messages to self,
// and a supervisor that restarts the behaviour with backoff and escalates repeated failure.
import type { Clock, TimerHandle } from '../util/clock.js';
import type { Logger } from '../util/log.js';
import { Mailbox } from './mailbox.js';
import type {
  ActorContext,
  ActorRef,
  ActorStats,
  ActorStatus,
  Behaviour,
  Escalation,
  MailboxOptions,
  Message,
  SupervisionOptions,
} from './types.js';

export interface ActorOptions {
  clock: Clock;
  log: Logger;
  mailbox: MailboxOptions;
  supervision: SupervisionOptions;
  onEscalate: (escalation: Escalation) => void;
}

const NOT_READY = Symbol('not-ready');

export class Actor<M extends Message, S> implements ActorRef<M> {
  readonly role: string;
  readonly #behaviour: Behaviour<M, S>;
  readonly #options: ActorOptions;
  readonly #mailbox: Mailbox<M>;
  readonly #timers = new Map<string, TimerHandle>();
  readonly #ctx: ActorContext<M>;
  #state: S | typeof NOT_READY = NOT_READY;
  #status: ActorStatus = 'starting';
  #draining = false;
  #processed = 0;
  #restartTimes: number[] = [];
  #restartTimer: TimerHandle | undefined;
  #idle: Promise<void> = Promise.resolve();
  #resolveIdle: (() => void) | undefined;

  constructor(behaviour: Behaviour<M, S>, options: ActorOptions) {
    this.role = behaviour.role;
    this.#behaviour = behaviour;
    this.#options = options;
    this.#mailbox = new Mailbox<M>(behaviour.role, options.mailbox);
    const log = options.log.child(behaviour.role);
    this.#ctx = {
      self: this,
      clock: options.clock,
      log,
      startTimer: (key, ms, msg) => this.#startTimer(key, ms, msg, false),
      startInterval: (key, ms, msg) => this.#startTimer(key, ms, msg, true),
      cancelTimer: (key) => this.#cancelTimer(key),
    };
  }

  get status(): ActorStatus {
    return this.#status;
  }

  stats(): ActorStats {
    return {
      role: this.role,
      status: this.#status,
      processed: this.#processed,
      dropped: this.#mailbox.dropped,
      restarts: this.#restartTimes.length,
      queued: this.#mailbox.size,
    };
  }

  async start(): Promise<void> {
    await this.#init();
  }

  tell(msg: M): boolean {
    if (this.#status === 'failed' || this.#status === 'stopped') return false;
    const accepted = this.#mailbox.push(msg);
    if (accepted) this.#schedule();
    return accepted;
  }

  /** Resolves once the mailbox is empty and no message is being handled. */
  whenIdle(): Promise<void> {
    return this.#draining || this.#mailbox.size > 0 ? this.#idle : Promise.resolve();
  }

  async stop(): Promise<void> {
    if (this.#status === 'stopped') return;
    const previous = this.#status;
    this.#status = 'stopped';
    this.#clearTimers();
    if (this.#restartTimer) this.#options.clock.cancel(this.#restartTimer);
    this.#mailbox.clear();
    await this.#idle;
    if (previous !== 'failed') await this.#release();
  }

  async #init(): Promise<void> {
    try {
      this.#state = await this.#behaviour.init(this.#ctx);
      if (this.#status === 'stopped') return;
      this.#status = 'running';
      this.#schedule();
    } catch (error) {
      this.#fail(error, 'init');
    }
  }

  #schedule(): void {
    if (this.#draining || this.#status !== 'running' || this.#mailbox.size === 0) return;
    this.#draining = true;
    this.#idle = new Promise((resolve) => (this.#resolveIdle = resolve));
    queueMicrotask(() => void this.#drain());
  }

  async #drain(): Promise<void> {
    try {
      while (this.#status === 'running') {
        const msg = this.#mailbox.shift();
        if (msg === undefined) break;
        try {
          const next = this.#behaviour.receive(this.#state as S, msg, this.#ctx);
          this.#state = next instanceof Promise ? await next : next;
          this.#processed++;
        } catch (error) {
          // The message that threw is dropped, so a poison message cannot loop forever.
          this.#fail(error, msg.type);
        }
      }
    } finally {
      this.#draining = false;
      this.#resolveIdle?.();
      this.#schedule();
    }
  }

  #fail(error: unknown, messageType: string): void {
    if (this.#status === 'stopped') return;
    const now = this.#options.clock.now();
    const { maxRestarts, windowMs, backoffMs, maxBackoffMs } = this.#options.supervision;
    this.#restartTimes = this.#restartTimes.filter((t) => now - t < windowMs);
    this.#ctx.log.error('actor failed', { role: this.role, message: messageType, error });
    this.#clearTimers();
    void this.#release();
    this.#state = NOT_READY;
    if (this.#restartTimes.length >= maxRestarts) {
      this.#status = 'failed';
      this.#mailbox.clear();
      this.#ctx.log.error('actor failed too often; escalating', { role: this.role, restarts: this.#restartTimes.length });
      this.#options.onEscalate({ role: this.role, error, restarts: this.#restartTimes.length });
      return;
    }
    const delay = Math.min(maxBackoffMs, backoffMs * 2 ** this.#restartTimes.length);
    this.#restartTimes.push(now);
    this.#status = 'restarting';
    this.#ctx.log.warn('restarting actor', { role: this.role, in_ms: delay });
    this.#restartTimer = this.#options.clock.schedule(() => {
      this.#restartTimer = undefined;
      if (this.#status === 'restarting') void this.#init();
    }, delay);
  }

  async #release(): Promise<void> {
    if (this.#state === NOT_READY || !this.#behaviour.stop) return;
    try {
      await this.#behaviour.stop(this.#state, this.#ctx);
    } catch (error) {
      this.#ctx.log.warn('actor stop failed', { role: this.role, error });
    }
  }

  #startTimer(key: string, ms: number, msg: M, repeat: boolean): void {
    this.#cancelTimer(key);
    const fire = () => {
      this.#timers.delete(key);
      if (repeat) this.#timers.set(key, this.#options.clock.schedule(fire, ms));
      this.tell(msg);
    };
    this.#timers.set(key, this.#options.clock.schedule(fire, ms));
  }

  #cancelTimer(key: string): void {
    const handle = this.#timers.get(key);
    if (handle) this.#options.clock.cancel(handle);
    this.#timers.delete(key);
  }

  #clearTimers(): void {
    for (const handle of this.#timers.values()) this.#options.clock.cancel(handle);
    this.#timers.clear();
  }
}
