// A generator's side of executions: fencing by term, duplicates, delta hand-off, and stopping when orphaned.
import { afterEach, describe, expect, it } from 'vitest';
import { ActorSystem } from '../../src/actor/system.js';
import type { Messenger } from '../../src/messaging.js';
import { silentLogger } from '../../src/util/log.js';
import { loadGenerator } from '../../actors/load-generator/actor.js';
import { AssignmentAgent } from '../../actors/load-generator/assignments.js';
import { KINDS } from '../../actors/coordinator/execution.js';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';
import { waitFor } from '../../scripts/lib/peer-process.js';

function localMessenger() {
  const handlers = new Map<string, (payload: unknown, from: string) => unknown>();
  const sent: { to: string; kind: string; payload: unknown }[] = [];
  let accept = true;
  const messenger: Messenger = {
    async send(to, kind, payload) {
      sent.push({ to, kind, payload });
      if (!accept) throw new Error('unreachable');
      return true;
    },
    on: (kind, handler) => void handlers.set(kind, handler),
  };
  return { messenger, handlers, sent, setAccept: (a: boolean) => (accept = a) };
}

const plan = (url: string, duration: number) => ({ name: 'p', tasks: [{ type: 'load_test', parameters: { targets: [{ url }], duration, base_rps: 100 } }] });

describe('assignment agent', () => {
  let system: ActorSystem | undefined;
  let agent: AssignmentAgent | undefined;
  let target: CountingTarget | undefined;
  afterEach(async () => {
    agent?.stop();
    await system?.stop();
    await target?.close();
  });

  async function setup(coordinator: { node_id: string; term: number } | null, orphanTimeoutMs = 10_000) {
    target = await startCountingTarget();
    system = new ActorSystem();
    const generator = await system.spawn(loadGenerator());
    const local = localMessenger();
    agent = new AssignmentAgent({ self: 'gen-1', messenger: local.messenger, generator, coordinator: async () => coordinator, log: silentLogger, orphanTimeoutMs });
    agent.start();
    const assign = (term: number, executionId = 'e1', duration = 1) =>
      local.handlers.get(KINDS.assign)!({ execution_id: executionId, term, name: 'p', plan: plan(target!.url, duration), segment: { from: 0, to: 1 }, start_at: Date.now() }, 'coord');
    return { ...local, assign };
  }

  it('starts an assignment once, sends every delta to the coordinator, and refuses a lower term', async () => {
    const { assign, sent } = await setup({ node_id: 'coord', term: 3 });
    await assign(3);
    await assign(3); // delivered twice: started once
    await waitFor(() => sent.some((s) => s.kind === KINDS.delta && (s.payload as { delta: { final: boolean } }).delta.final), 5_000, 'the final delta');
    const deltas = sent.filter((s) => s.kind === KINDS.delta).map((s) => (s.payload as { delta: { totals: { requests: number } } }).delta);
    expect(deltas.reduce((n, d) => n + d.totals.requests, 0)).toBe(target!.count());
    expect(target!.count()).toBe(100);
    await expect(assign(2, 'e2')).rejects.toMatchObject({ code: 'PERMANENT_STALE_TERM' });
  });

  it('resends every delta to a new coordinator', async () => {
    let coordinator = { node_id: 'old', term: 1 };
    target = await startCountingTarget();
    system = new ActorSystem();
    const generator = await system.spawn(loadGenerator());
    const local = localMessenger();
    agent = new AssignmentAgent({ self: 'gen-1', messenger: local.messenger, generator, coordinator: async () => coordinator, log: silentLogger, orphanTimeoutMs: 10_000 });
    agent.start();
    await local.handlers.get(KINDS.assign)!({ execution_id: 'e1', term: 1, name: 'p', plan: plan(target.url, 1), segment: { from: 0, to: 1 }, start_at: Date.now() }, 'old');
    await waitFor(() => local.sent.some((s) => (s.payload as { delta?: { final: boolean } }).delta?.final), 5_000, 'final delta to the old coordinator');
    const toOld = local.sent.filter((s) => s.to === 'old' && s.kind === KINDS.delta).length;
    coordinator = { node_id: 'new', term: 2 };
    await waitFor(() => local.sent.filter((s) => s.to === 'new' && s.kind === KINDS.delta).length === toOld, 5_000, 'every delta resent to the new coordinator');
  });

  it('stops its load when no coordinator answers for the orphan timeout', async () => {
    const { assign } = await setup(null, 600);
    await assign(1, 'e1', 20);
    await waitFor(() => target!.count() > 20, 5_000, 'load to flow');
    await new Promise((r) => setTimeout(r, 1_500));
    const settled = target!.count();
    await new Promise((r) => setTimeout(r, 500));
    expect(target!.count()).toBe(settled);
    expect(settled).toBeLessThan(100 * 2);
  });
});
