// The election's durable state (term and vote), kept in the store: a peer that forgot its vote could vote
// twice in one term. It is checked when read; a damaged record stops the peer with a message naming the
// file, never a peer that runs without a vote it cannot trust.
import { z } from 'zod';
import { McpError } from '../errors.js';
import type { Store } from './store.js';

export const DurableElectionStateSchema = z.object({
  term: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  votedFor: z.string().min(1).max(128).nullable(),
});
export type DurableElectionState = z.infer<typeof DurableElectionStateSchema>;

const KEY = 'election';

/** The stored state, or a fresh voter's when none was ever stored. Throws STORE_ELECTION_CORRUPT. */
export function loadElectionState(store: Store): DurableElectionState {
  let raw: unknown;
  try {
    raw = store.getValue<unknown>(KEY);
  } catch (error) {
    throw corrupt(store, `not JSON (${(error as Error).message})`);
  }
  if (raw === undefined) return { term: 0, votedFor: null };
  const parsed = DurableElectionStateSchema.safeParse(raw);
  if (!parsed.success) throw corrupt(store, parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  return parsed.data;
}

export function saveElectionState(store: Store, state: DurableElectionState): void {
  store.setValue(KEY, state);
}

function corrupt(store: Store, why: string): McpError {
  return new McpError(
    'STORE_ELECTION_CORRUPT',
    `the election state in ${store.path} (key "${KEY}") is damaged: ${why}. This peer cannot know how it voted, so it will not start: ` +
      `move that file away to start it as a new voter (its executions' replicas go with it; the others hold copies).`,
  );
}
