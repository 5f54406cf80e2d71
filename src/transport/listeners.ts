// A tiny typed listener set shared by both transports.
import type { Unsubscribe } from './transport.js';

export class Listeners<E> {
  readonly #set = new Set<(event: E) => void>();

  add(listener: (event: E) => void): Unsubscribe {
    this.#set.add(listener);
    return () => this.#set.delete(listener);
  }

  emit(event: E, onError: (error: unknown) => void): void {
    for (const listener of this.#set) {
      try {
        listener(event);
      } catch (error) {
        onError(error);
      }
    }
  }

  clear(): void {
    this.#set.clear();
  }
}
