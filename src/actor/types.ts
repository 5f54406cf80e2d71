// The actor model of the peer: a behaviour is a reducer over a closed union of messages.
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/log.js';

export interface Message {
  readonly type: string;
}

export interface ActorRef<M extends Message> {
  readonly role: string;
  /** Enqueue a message. False when the mailbox refused it (full under `drop-newest`, or the actor has failed). */
  tell(msg: M): boolean;
}

export interface ActorContext<M extends Message> {
  readonly self: ActorRef<M>;
  readonly clock: Clock;
  readonly log: Logger;
  /** Deliver `msg` to this actor once after `ms`; a timer with the same key replaces the previous one. */
  startTimer(key: string, ms: number, msg: M): void;
  /** Deliver `msg` every `ms` until cancelled. */
  startInterval(key: string, ms: number, msg: M): void;
  cancelTimer(key: string): void;
}

export interface Behaviour<M extends Message, S> {
  readonly role: string;
  init(ctx: ActorContext<M>): S | Promise<S>;
  receive(state: S, msg: M, ctx: ActorContext<M>): S | Promise<S>;
  /** Release what the state holds. Called on stop and before a restart. */
  stop?(state: S, ctx: ActorContext<M>): void | Promise<void>;
}

export type OverflowPolicy = 'drop-newest' | 'drop-oldest' | 'fail';

export interface MailboxOptions {
  capacity: number;
  overflow: OverflowPolicy;
}

export interface SupervisionOptions {
  /** Restarts allowed within `windowMs` before the failure escalates. */
  maxRestarts: number;
  windowMs: number;
  /** First restart delay; doubles on each restart within the window, up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
}

export type ActorStatus = 'starting' | 'running' | 'restarting' | 'failed' | 'stopped';

export interface ActorStats {
  role: string;
  status: ActorStatus;
  processed: number;
  dropped: number;
  restarts: number;
  queued: number;
}

export interface Escalation {
  role: string;
  error: unknown;
  restarts: number;
}
