// A bounded FIFO with a per-actor overflow policy.
import { McpError } from '../errors.js';
import type { MailboxOptions } from './types.js';

export class MailboxFullError extends McpError {
  override name = 'MailboxFullError';
  constructor(role: string, capacity: number) {
    super('ACTOR_MAILBOX_FULL', `mailbox of ${role} is full (${capacity} messages)`);
  }
}

export class Mailbox<T> {
  readonly #options: MailboxOptions;
  readonly #role: string;
  #items: T[] = [];
  #head = 0;
  dropped = 0;

  constructor(role: string, options: MailboxOptions) {
    if (!(options.capacity >= 1)) throw new RangeError('mailbox capacity must be at least 1');
    this.#role = role;
    this.#options = options;
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  /** Returns false when the message was not enqueued. */
  push(item: T): boolean {
    if (this.size >= this.#options.capacity) {
      switch (this.#options.overflow) {
        case 'drop-newest':
          this.dropped++;
          return false;
        case 'drop-oldest':
          this.shift();
          this.dropped++;
          break;
        case 'fail':
          this.dropped++;
          throw new MailboxFullError(this.#role, this.#options.capacity);
      }
    }
    this.#items.push(item);
    return true;
  }

  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined as T;
    // Compact once the consumed prefix dominates, keeping push/shift amortised O(1).
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}
