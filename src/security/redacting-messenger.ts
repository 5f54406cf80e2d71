// Replicas carry execution records to every peer: their secrets are redacted before they leave, while
// assignments (which generators need whole) pass untouched.
import type { Messenger } from '../messaging.js';
import { redactSecrets } from './secrets.js';

export function redactingMessenger(inner: Messenger, kinds: readonly string[]): Messenger {
  const redacted = new Set(kinds);
  return {
    send: (to, kind, payload, mode, options) => inner.send(to, kind, redacted.has(kind) ? redactSecrets(payload) : payload, mode, options),
    on: (kind, handler) => inner.on(kind, handler),
  };
}
