// Sending to the coordinator in office from any peer: office may change while we try, so the
// coordinator is looked up again before every attempt, until a deadline.
import { McpError } from '../errors.js';
import { isFinalFailure } from '../messaging.js';
import type { PeerMessenger } from '../protocol/peer-messenger.js';
import type { PeerKind, ReplyOf, RequestOf } from '../protocol/peer-protocol.js';
import type { Clock } from '../util/clock.js';

export interface OfficeHolder {
  node_id: string;
  term: number;
}

export interface OfficeClientDeps {
  messenger: PeerMessenger;
  clock: Clock;
  /** The coordinator in office as this peer knows it, or null. */
  coordinator(): Promise<OfficeHolder | null>;
}

export interface OfficeClientOptions {
  /** Give up after this long. */
  totalMs?: number;
  /** One attempt's deadline. */
  attemptMs?: number;
  /** Wait between attempts. */
  retryMs?: number;
}

export type OfficeClient = <K extends PeerKind>(kind: K, payload: RequestOf<K>) => Promise<ReplyOf<K>>;

export function officeClient(deps: OfficeClientDeps, options: OfficeClientOptions = {}): OfficeClient {
  const { totalMs = 4_000, attemptMs = 1_000, retryMs = 100 } = options;
  const sleep = (ms: number) => new Promise<void>((resolve) => deps.clock.schedule(resolve, ms));
  return async (kind, payload) => {
    const deadline = deps.clock.now() + totalMs;
    let lastError: unknown = new McpError('NO_COORDINATOR', 'no coordinator is in office yet; try again in a moment');
    while (deps.clock.now() < deadline) {
      const current = await deps.coordinator();
      if (current) {
        try {
          return await deps.messenger.send(current.node_id, kind, payload, 'reliable', { deadlineMs: attemptMs });
        } catch (error) {
          if (isFinalFailure(error)) throw error;
          lastError = error;
        }
      }
      await sleep(retryMs);
    }
    throw lastError;
  };
}
