// Request/response with an actor: the message carries a reply callback.
import { McpError } from '../errors.js';
import type { ActorRef, Message } from './types.js';

export function ask<M extends Message, R>(ref: ActorRef<M>, make: (reply: (value: R) => void) => M, timeoutMs = 2_000): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const timer = setTimeout(() => reject(new McpError('ACTOR_ASK_TIMEOUT', `${ref.role} did not answer within ${timeoutMs} ms`)), timeoutMs);
    const accepted = ref.tell(
      make((value) => {
        clearTimeout(timer);
        resolve(value);
      }),
    );
    if (!accepted) {
      clearTimeout(timer);
      reject(new McpError('ACTOR_UNAVAILABLE', `${ref.role} is not accepting messages`));
    }
  });
}
