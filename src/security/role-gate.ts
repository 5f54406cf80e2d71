// Only the peer in office commands: assignments, resegments, stops and replicas are accepted only from
// the coordinator this peer knows to be in office, and only with a term no higher than the one it holds
// (a frame cannot bring a term no election produced, so it cannot fence this peer off real commands).
import { McpError } from '../errors.js';
import type { Messenger } from '../messaging.js';

export const NOT_COORDINATOR = 'NOT_COORDINATOR';
export const TERM_UNKNOWN = 'TERM_UNKNOWN';

export interface RoleGateOptions {
  /** The coordinator in office as this peer knows it (from its own election). */
  coordinator(): Promise<{ node_id: string; term: number } | null>;
  /** Kinds only the coordinator may send, and where their term is: in the payload (`term`) or its record (`doc.term`). */
  commands: ReadonlyArray<{ kind: string; term?: (payload: unknown) => unknown }>;
}

/** The term a payload claims, when it is a number. */
export const termAt =
  (...path: string[]) =>
  (payload: unknown): unknown =>
    path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), payload);

export function roleGatedMessenger(inner: Messenger, options: RoleGateOptions): Messenger {
  const commands = new Map(options.commands.map((c) => [c.kind, c]));
  // The latest office this peer has seen: a follower that misses a heartbeat under load stops naming the
  // coordinator for a moment, which must not make it drop that coordinator's (fire-and-forget) replicas.
  let last: { node_id: string; term: number } | null = null;
  const officeNow = async () => {
    const seen = await options.coordinator();
    if (seen && (!last || seen.term >= last.term)) last = seen;
    return last;
  };
  return {
    send: (to, kind, payload, mode, opts) => inner.send(to, kind, payload, mode, opts),
    on(kind, handler) {
      const command = commands.get(kind);
      if (!command) return inner.on(kind, handler);
      inner.on(kind, async (payload, from) => {
        const office = await officeNow();
        // Transient codes: in a failover the new coordinator's first commands may come before its first heartbeat.
        if (!office || office.node_id !== from) throw new McpError(NOT_COORDINATOR, `${kind} is accepted only from the coordinator in office${office ? '' : ' (none is known here)'}`);
        const term = command.term?.(payload);
        if (typeof term === 'number' && term > office.term) {
          throw new McpError(TERM_UNKNOWN, `${kind} claims term ${term}, but the coordinator in office holds term ${office.term}`);
        }
        return handler(payload, from);
      });
    },
  };
}
