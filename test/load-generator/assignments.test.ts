// The generator's assignment actor on a fake clock: fencing by term, duplicates, set-up timing, delta
// hand-off and resending to a new coordinator, resegment versions, stops, and stopping when orphaned.
import { afterEach, describe, expect, it } from 'vitest';
import { ActorSystem } from '../../src/actor/system.js';
import type { ActorRef } from '../../src/actor/types.js';
import { FakeClock } from '../../src/util/clock.js';
import type { PeerMessenger } from '../../src/protocol/peer-messenger.js';
import type { PeerKind, ReceivedRequest } from '../../src/protocol/peer-protocol.js';
import { assignments, PUMP_MS } from '../../actors/load-generator/assignments.js';
import { LEASE_MS, RENEW_MS, UNSURE_WAIT_MS } from '../../src/execution/share-lease.js';
import type { LoadGeneratorMessage, LoadStartRequest } from '../../actors/load-generator/messages.js';
import type { ResultsDelta } from '../../src/stats/index.js';

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
};

const plan = { name: 'p', tasks: [{ type: 'load_test', parameters: { targets: [{ url: 'http://127.0.0.1:9/' }], duration: 2, base_rps: 100 } }] };

function delta(runId: string, seq: number, requests: number, final = false): ResultsDelta {
  const counters = { requests, successes: requests, failures: 0, dropped: 0, scheduled: requests, bytes_in: 0, bytes_out: 0, status: {}, errors: {} };
  return { run_id: runId, seq, final, totals: counters, latency: '', service: '', targets: [], seconds: [] };
}

/** A load generator that records what it is told and lets the test emit deltas for a run. */
function fakeGenerator() {
  const told: LoadGeneratorMessage[] = [];
  const runs = new Map<string, LoadStartRequest>();
  const ref: ActorRef<LoadGeneratorMessage> = {
    role: 'load-generator',
    tell(msg) {
      told.push(msg);
      if (msg.type === 'load.start') {
        runs.set(msg.request.taskId!, msg.request);
        msg.reply(msg.request.taskId!);
      } else if (msg.type === 'load.stop' || msg.type === 'load.resegment') msg.reply(runs.has(msg.taskId));
      return true;
    },
  };
  return { ref, told, runs };
}

/** A messenger whose handlers the test calls, and whose sends the test answers. */
function fakeMessenger() {
  const handlers = new Map<string, (payload: never, from: string) => unknown>();
  const sent: { to: string; kind: string; payload: { delta?: ResultsDelta } }[] = [];
  let answer: (to: string, kind: string) => Promise<unknown> = async () => ({ status: 'running', share: 'held' });
  const messenger: PeerMessenger = {
    send: ((to: string, kind: string, payload: { delta?: ResultsDelta }) => {
      sent.push({ to, kind, payload });
      return answer(to, kind);
    }) as PeerMessenger['send'],
    post: async () => undefined,
    on: ((kind: string, handler: (payload: never, from: string) => unknown) => void handlers.set(kind, handler)) as PeerMessenger['on'],
  };
  const call = <K extends PeerKind>(kind: K, payload: ReceivedRequest<K>) => (handlers.get(kind) as (p: ReceivedRequest<K>, from: string) => Promise<unknown>)(payload, 'coord');
  return { messenger, sent, call, setAnswer: (a: typeof answer) => (answer = a) };
}

describe('assignment actor (fake clock)', () => {
  let system: ActorSystem | undefined;
  afterEach(async () => system?.stop());

  async function setup(opts: { coordinator?: { node_id: string; term: number } | null; orphanTimeoutMs?: number } = {}) {
    const clock = new FakeClock(1_000_000);
    system = new ActorSystem({ clock });
    const generator = fakeGenerator();
    const net = fakeMessenger();
    let coordinator = opts.coordinator === undefined ? { node_id: 'coord', term: 3 } : opts.coordinator;
    await system.spawn(
      assignments({ self: 'gen-1', messenger: net.messenger, generator: generator.ref, coordinator: async () => coordinator, orphanTimeoutMs: opts.orphanTimeoutMs ?? 5_000 }),
    );
    const advance = async (ms: number, step = 50) => {
      for (let t = 0; t < ms; t += step) {
        clock.advance(step);
        await settle();
      }
    };
    const assign = (term: number, executionId = 'e1', startIn = 700, assigned: unknown = plan) =>
      net.call('task.assign', { execution_id: executionId, term, name: 'p', plan: assigned, segment: { from: 0, to: 1 }, start_at: clock.now() + startIn });
    return { clock, generator, net, advance, assign, setCoordinator: (c: typeof coordinator) => (coordinator = c) };
  }

  it('accepts an assignment once and sets its runs up shortly after the acknowledgement, not before', async () => {
    const { assign, generator, advance } = await setup();
    await expect(assign(3)).resolves.toEqual({ accepted: true });
    await expect(assign(3)).resolves.toEqual({ accepted: true }); // delivered twice
    expect(generator.runs.size).toBe(0); // acknowledged before any set-up work
    await advance(50);
    expect([...generator.runs.keys()]).toEqual(['e1:0:gen-1']);
    expect(generator.runs.get('e1:0:gen-1')!.startAt).toBe(1_000_000 + 700);
  });

  it('starts its runs with a share moved before they were set up', async () => {
    const { assign, generator, net, advance } = await setup();
    await assign(3);
    await expect(net.call('task.resegment', { execution_id: 'e1', term: 3, version: 2, segment: { from: 0.5, to: 1 }, at: 1_000_050 })).resolves.toEqual({ accepted: true });
    expect(generator.runs.size).toBe(0);
    await advance(50);
    expect(generator.runs.get('e1:0:gen-1')!.segment).toEqual({ from: 0.5, to: 1 });
  });

  it('refuses a lower term, an invalid plan, and an execution stopped here', async () => {
    const { assign, net } = await setup();
    await assign(3);
    await expect(assign(2, 'e2')).rejects.toMatchObject({ code: 'PERMANENT_STALE_TERM' });
    await expect(net.call('task.assign', { execution_id: 'bad', term: 3, name: 'p', plan: { name: 'x' }, segment: { from: 0, to: 1 }, start_at: 0 })).rejects.toMatchObject({
      code: 'PERMANENT_PLAN_INVALID',
    });
    await expect(net.call('task.stop', { execution_id: 'e9', term: 3 })).resolves.toEqual({ stopped: false });
    await expect(assign(3, 'e9')).rejects.toMatchObject({ code: 'PERMANENT_STOPPED' });
  });

  it('sends every delta to the coordinator in office, one at a time, and resends all to a new coordinator', async () => {
    const { assign, generator, net, advance, setCoordinator } = await setup();
    await assign(3);
    await advance(50);
    const run = generator.runs.get('e1:0:gen-1')!;
    run.onDelta!(delta('e1:0:gen-1', 1, 10));
    run.onDelta!(delta('e1:0:gen-1', 2, 20));
    await advance(PUMP_MS);
    run.onDelta!(delta('e1:0:gen-1', 3, 5, true));
    await advance(PUMP_MS);
    const toOld = net.sent.filter((s) => s.to === 'coord' && s.kind === 'results.delta');
    expect(toOld.map((s) => s.payload.delta!.seq)).toEqual([1, 2, 3]);
    setCoordinator({ node_id: 'new', term: 4 });
    await advance(2 * PUMP_MS);
    const toNew = net.sent.filter((s) => s.to === 'new' && s.kind === 'results.delta');
    expect(toNew.map((s) => s.payload.delta!.seq).sort()).toEqual([1, 2, 3]);
  });

  it('forgets a finished, fully acknowledged execution a minute after its last acknowledgement, though a coordinator stays in office', async () => {
    const { assign, generator, net, advance, setCoordinator } = await setup();
    await assign(3);
    await advance(50);
    const run = generator.runs.get('e1:0:gen-1')!;
    run.onDelta!(delta('e1:0:gen-1', 1, 10, true));
    run.onDone!({} as never);
    await advance(PUMP_MS);
    // Within the minute, a new coordinator still gets the deltas again.
    await advance(30_000, 500);
    setCoordinator({ node_id: 'next', term: 4 });
    await advance(2 * PUMP_MS);
    expect(net.sent.filter((s) => s.to === 'next' && s.kind === 'results.delta')).toHaveLength(1);
    // A minute after that acknowledgement it is gone: the coordinator after it hears nothing of it.
    await advance(61_000, 500);
    setCoordinator({ node_id: 'last', term: 5 });
    await advance(2 * PUMP_MS);
    expect(net.sent.filter((s) => s.to === 'last')).toHaveLength(0);
  });

  it('keeps a delta that was not acknowledged and sends it again', async () => {
    const { assign, generator, net, advance } = await setup();
    let fail = true;
    net.setAnswer(async () => {
      if (fail) throw new Error('unreachable');
      return { status: 'running' };
    });
    await assign(3);
    await advance(50);
    generator.runs.get('e1:0:gen-1')!.onDelta!(delta('e1:0:gen-1', 1, 10));
    await advance(PUMP_MS);
    fail = false;
    await advance(2 * PUMP_MS);
    const attempts = net.sent.filter((s) => s.kind === 'results.delta');
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    const before = attempts.length;
    await advance(3 * PUMP_MS);
    expect(net.sent.filter((s) => s.kind === 'results.delta').length).toBe(before); // acknowledged: not sent again
  });

  it('stops its runs when the coordinator answers that the execution is over', async () => {
    const { assign, generator, net, advance } = await setup();
    net.setAnswer(async () => ({ status: 'cancelled' }));
    await assign(3);
    await advance(50);
    generator.runs.get('e1:0:gen-1')!.onDelta!(delta('e1:0:gen-1', 1, 10));
    await advance(PUMP_MS);
    expect(generator.told.some((m) => m.type === 'load.stop' && m.taskId === 'e1:0:gen-1')).toBe(true);
  });

  it('applies only newer resegments', async () => {
    const { assign, generator, net, advance } = await setup();
    await assign(3);
    await advance(50);
    await expect(net.call('task.resegment', { execution_id: 'e1', term: 3, version: 5, segment: { from: 0, to: 0.5 }, at: 0 })).resolves.toEqual({ accepted: true });
    await expect(net.call('task.resegment', { execution_id: 'e1', term: 3, version: 4, segment: { from: 0, to: 0.9 }, at: 0 })).resolves.toEqual({ accepted: true });
    const resegments = generator.told.filter((m) => m.type === 'load.resegment');
    expect(resegments).toHaveLength(1);
    expect(resegments[0]).toMatchObject({ from: 0, to: 0.5 });
    await expect(net.call('task.resegment', { execution_id: 'nope', term: 3, version: 1, segment: { from: 0, to: 1 }, at: 0 })).resolves.toEqual({ accepted: false });
    // A new coordinator's split wins even with a lower version: it may not have seen the old one's last moves.
    await expect(net.call('task.resegment', { execution_id: 'e1', term: 4, version: 3, segment: { from: 0, to: 0.7 }, at: 0 })).resolves.toEqual({ accepted: true });
    expect(generator.told.filter((m) => m.type === 'load.resegment').at(-1)).toMatchObject({ from: 0, to: 0.7 });
  });

  it('renews its share every RENEW_MS from the assignment to the end of its load (and while it may wait to learn whose its paused arrivals were), not after', async () => {
    const { assign, generator, net, advance } = await setup();
    await assign(3); // starts in 700 ms, lasts 2 s
    await advance(1_000);
    const renewals = () => net.sent.filter((s) => s.kind === 'share.renew').length;
    // Before the start too: the first lease must be in hand when the load starts.
    expect(renewals()).toBeGreaterThanOrEqual(Math.floor(1_000 / (RENEW_MS + PUMP_MS)));
    generator.runs.get('e1:0:gen-1')!.onDelta!(delta('e1:0:gen-1', 1, 100));
    const before = renewals();
    await advance(1_000);
    expect(net.sent.filter((s) => s.kind === 'results.delta')).toHaveLength(1); // new deltas only: no repeats
    expect(renewals() - before).toBeGreaterThanOrEqual(Math.floor(1_000 / (RENEW_MS + PUMP_MS)) - 1);
    expect(renewals() - before).toBeLessThanOrEqual(Math.ceil(1_000 / RENEW_MS));
    await advance(1_000 + UNSURE_WAIT_MS); // past the end of the 2 s plan, and the wait for unsure arrivals
    const after = net.sent.length;
    await advance(1_000);
    expect(net.sent.length).toBe(after);
  });

  it('drives its share only on a held verdict: each grants LEASE_MS from the sending; a lapse pauses, a held verdict resumes, moved stops', async () => {
    const { assign, generator, net, advance, clock } = await setup();
    const sentAt: number[] = [];
    let verdict: string | null = 'held'; // null: no answer (the coordinator is cut off)
    net.setAnswer(async (_to, kind) => {
      if (kind === 'share.renew') sentAt.push(clock.now());
      if (verdict === null) throw Object.assign(new Error('unreachable'), { code: 'DELIVERY_TIMEOUT' });
      return { status: 'running', share: verdict };
    });
    await assign(3, 'e1', 700, { ...plan, tasks: [{ ...plan.tasks[0]!, parameters: { ...plan.tasks[0]!.parameters, duration: 10 } }] });
    await advance(1_000);
    const grants = () => generator.told.filter((m): m is Extract<LoadGeneratorMessage, { type: 'load.grant' }> => m.type === 'load.grant');
    expect(grants().length).toBeGreaterThan(0);
    // Each lease runs LEASE_MS from the sending of the word it answers.
    expect(sentAt.map((t) => t + LEASE_MS)).toEqual(expect.arrayContaining([grants().at(-1)!.until]));
    const lastUntil = grants().at(-1)!.until;
    verdict = null;
    await advance(2_000);
    expect(grants().at(-1)!.until).toBe(lastUntil); // nothing granted: past it, the runs pause by themselves
    expect(generator.told.some((m) => m.type === 'load.stop')).toBe(false); // paused, not stopped
    verdict = 'held';
    await advance(300);
    const resumed = grants().at(-1)!;
    expect(resumed.from).toBeGreaterThan(lastUntil); // from the moment heard: what fell due meanwhile stays dropped
    expect(resumed.until).toBeGreaterThan(clock.now());
    verdict = 'moved';
    await advance(300);
    expect(generator.told.filter((m) => m.type === 'load.stop').map((m) => (m as { taskId: string }).taskId)).toEqual(['e1:0:gen-1']);
    const count = net.sent.length;
    await advance(1_000);
    expect(net.sent.length).toBe(count); // stopped: no more renewals
  });

  it('keeps running to the end while every delta is acknowledged', async () => {
    const { assign, generator, advance } = await setup();
    await assign(3);
    await advance(700);
    const run = generator.runs.get('e1:0:gen-1')!;
    for (let seq = 1; seq <= 3; seq++) {
      await advance(1_000);
      run.onDelta!(delta('e1:0:gen-1', seq, 100, seq === 3));
    }
    await advance(500);
    expect(generator.told.some((m) => m.type === 'load.stop')).toBe(false);
  });

  it('stops its load after the orphan timeout without a coordinator, and not before', async () => {
    const { assign, generator, advance } = await setup({ coordinator: null, orphanTimeoutMs: 1_000 });
    await assign(1);
    await advance(800);
    expect(generator.told.some((m) => m.type === 'load.stop')).toBe(false);
    await advance(600);
    expect(generator.told.filter((m) => m.type === 'load.stop').map((m) => (m as { taskId: string }).taskId)).toEqual(['e1:0:gen-1']);
  });
});
