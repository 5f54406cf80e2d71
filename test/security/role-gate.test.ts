// The role gate, table-driven: who may send a command, and with which term.
import { describe, expect, it } from 'vitest';
import type { Messenger } from '../../src/messaging.js';
import { roleGatedMessenger, termAt } from '../../src/security/role-gate.js';

function gate(office: { node_id: string; term: number } | null) {
  const handlers = new Map<string, (payload: unknown, from: string) => unknown>();
  const inner: Messenger = { send: async () => undefined, on: (kind, handler) => void handlers.set(kind, handler) };
  const gated = roleGatedMessenger(inner, { coordinator: async () => office, commands: [{ kind: 'task.assign', term: termAt('term') }, { kind: 'execution.replicate', term: termAt('doc', 'term') }] });
  const seen: string[] = [];
  for (const kind of ['task.assign', 'execution.replicate', 'results.delta']) gated.on(kind, (_, from) => seen.push(`${kind} from ${from}`));
  return { call: (kind: string, payload: unknown, from: string) => Promise.resolve(handlers.get(kind)!(payload, from)), seen };
}

describe('role gate', () => {
  const cases: Array<[string, { node_id: string; term: number } | null, string, unknown, string, string | undefined]> = [
    ['the coordinator assigns in its term', { node_id: 'c', term: 4 }, 'task.assign', { term: 4 }, 'c', undefined],
    ['a member that is not in office', { node_id: 'c', term: 4 }, 'task.assign', { term: 4 }, 'm', 'NOT_COORDINATOR'],
    ['no coordinator known', null, 'task.assign', { term: 1 }, 'c', 'NOT_COORDINATOR'],
    ['the coordinator with a term no election produced', { node_id: 'c', term: 4 }, 'task.assign', { term: 1e15 }, 'c', 'TERM_UNKNOWN'],
    ['a replica of a higher term', { node_id: 'c', term: 4 }, 'execution.replicate', { doc: { term: 5 } }, 'c', 'TERM_UNKNOWN'],
    ['a replica of an older term (a takeover re-replicates)', { node_id: 'c', term: 4 }, 'execution.replicate', { doc: { term: 3 } }, 'c', undefined],
    ['a replica from a member not in office', { node_id: 'c', term: 4 }, 'execution.replicate', { doc: { term: 4 } }, 'm', 'NOT_COORDINATOR'],
    ['a kind any member may send', { node_id: 'c', term: 4 }, 'results.delta', {}, 'm', undefined],
  ];
  it.each(cases)('%s', async (_, office, kind, payload, from, code) => {
    const { call, seen } = gate(office);
    if (code === undefined) {
      await call(kind, payload, from);
      expect(seen).toEqual([`${kind} from ${from}`]);
    } else {
      await expect(call(kind, payload, from)).rejects.toMatchObject({ code });
      expect(seen).toEqual([]);
    }
  });
});
