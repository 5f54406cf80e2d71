// The coordinator's executions as a pure reducer: (state, event) → { state, effects, answer }. Only the
// peer in office decides; a new one first gathers the others' replicas, then takes over every unfinished
// execution from the newest state and re-drives its generators under its own term.
import { McpError } from '../../../src/errors.js';
import { advance, alreadyMerged } from '../../../src/stats/index.js';
import { FINAL_STATUSES, runIdOf, type ExecutionDoc, type ExecutionStatus } from '../../../src/execution/contract.js';
import { CANCELLED_LINGER_MS, COMMAND_DEADLINE_MS, type AnswerOf, type DeltaAck, type LifecycleDeps, type LifecycleEvent, type LifecycleState, type LifecycleStep, type Outcome } from './model.js';
import { assign, assignPayload, command, end, evaluate, failAndResegment, isLost, setAssignment, stopEarly } from './rules.js';
import { Turn } from './turn.js';
import { shareAnswer } from './share-verdict.js';

type Event<T extends LifecycleEvent['type']> = Extract<LifecycleEvent, { type: T }>;

export function step<E extends LifecycleEvent>(state: LifecycleState, event: E, deps: LifecycleDeps): LifecycleStep<AnswerOf<E>> {
  const t = new Turn(state, event.now, deps);
  const answer = apply(t, event);
  return { state: t.finish(), effects: t.effects, answer: answer as AnswerOf<E> };
}

/** Whether an execution is live in this state (else the driver supplies what the store holds). */
export function isLive(state: LifecycleState, executionId: string): boolean {
  return state.executions.has(executionId);
}

/** A cancelled execution is taken over only while it still takes late deltas. */
export function worthResuming(doc: ExecutionDoc, now: number): boolean {
  return doc.status !== 'cancelled' || now - (doc.finished_at ?? 0) <= CANCELLED_LINGER_MS;
}

function apply(t: Turn, e: LifecycleEvent): unknown {
  switch (e.type) {
    case 'office.taken':
      return takeOffice(t, e);
    case 'office.left':
      if (t.phase !== 'off') t.log('info', 'executions left', { term: t.term });
      leave(t);
      return undefined;
    case 'replicas.gathered':
      return resume(t, e);
    case 'members':
      t.generators = e.generators;
      t.members = e.members;
      if (t.phase === 'ready') for (const id of [...t.executions.keys()]) evaluate(t, id);
      return undefined;
    case 'submitted':
      return settle(() => submit(t, e));
    case 'cancel':
      return settle(() => cancel(t, e));
    case 'delta':
      return settle(() => delta(t, e));
    case 'renew':
      return settle(() => renew(t, e));
    case 'send.acknowledged':
    case 'send.refused':
    case 'send.timed-out':
      completed(t, e);
      return undefined;
    case 'timer': {
      // The look planned for is over: the next one is planned afresh, even for the same moment (a timer
      // that fired early found nothing due, and must not leave the execution without a look).
      const live = t.live(e.key);
      if (live?.wakeAt !== undefined) t.put(e.key, { ...live, wakeAt: undefined });
      if (t.phase === 'ready') evaluate(t, e.key);
      return undefined;
    }
    case 'load.stop-early':
      if (t.phase === 'ready') stopEarly(t, e.executionId, e.reason);
      return undefined;
    case 'ended.elsewhere': {
      const live = t.live(e.executionId);
      if (!live || FINAL_STATUSES.includes(live.doc.status)) return undefined;
      // Never written again from here: the end stands on every replica (replication/digest.ts).
      t.drop(e.executionId);
      t.log('warn', 'execution had ended under an earlier coordinator: no longer driven', { execution: e.executionId, status: e.status, term: t.term });
      return undefined;
    }
  }
}

function settle<T>(fn: () => T): Outcome<T> {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    if (error instanceof McpError) return { ok: false, error };
    throw error;
  }
}

function leave(t: Turn): void {
  t.phase = 'off';
  t.executions.clear();
  t.sends.clear();
}

function takeOffice(t: Turn, e: Event<'office.taken'>): undefined {
  leave(t);
  t.phase = 'gathering';
  t.term = e.term;
  t.effects.push({ type: 'gather', term: e.term, peers: t.members.filter((m) => m.status === 'alive').map((m) => m.node_id) });
  return undefined;
}

function resume(t: Turn, e: Event<'replicas.gathered'>): undefined {
  if (t.phase !== 'gathering' || e.term !== t.term) return undefined; // office changed meanwhile
  for (const { doc, progress } of e.executions) {
    if (!worthResuming(doc, t.now) || doc.workload) continue; // a workload's own document is driven by its reducer
    const id = doc.execution_id;
    // Silence is counted from the takeover: the others' deltas went to the old coordinator until now.
    t.put(id, { doc, progress, heard: new Map(doc.assignments.map((a) => [a.node_id, t.now])) });
    if (doc.status === 'cancelled') continue;
    if (doc.status !== 'pending' && doc.status !== 'running') continue;
    t.log('info', 'taking over execution', { execution: id, from: doc.coordinator, term: t.term });
    if (doc.status === 'pending') {
      assign(t, id);
      continue;
    }
    const mine = t.doc(id);
    // Re-drive every active generator under the new term: raises their fence, re-sends assignments
    // that may never have arrived, and confirms each one's segment.
    for (const a of mine.assignments) {
      if (a.state === 'assigned') command(t, id, a.node_id, { kind: 'task.assign', payload: assignPayload(t, mine, a) }, 'exactly-once');
      if (a.state === 'assigned' || a.state === 'running') {
        const payload = { execution_id: id, term: t.term, version: mine.version, segment: a.segment, at: t.now };
        command(t, id, a.node_id, { kind: 'task.resegment', payload }, 'exactly-once');
      }
    }
  }
  t.phase = 'ready';
  for (const id of [...t.executions.keys()]) evaluate(t, id);
  return undefined;
}

function requireOffice(t: Turn): void {
  if (t.phase === 'off') throw new McpError('NOT_COORDINATOR', `${t.self} is not the coordinator`);
  if (t.phase === 'gathering') throw new McpError('COORDINATOR_NOT_READY', `${t.self} is still taking over`);
}

function submit(t: Turn, e: Event<'submitted'>): void {
  requireOffice(t);
  if (t.live(e.executionId) || e.existing) return; // submitted twice
  const doc: ExecutionDoc = {
    execution_id: e.executionId,
    name: e.plan.name,
    plan: e.plan,
    source: e.source,
    status: 'pending',
    created_at: t.now,
    start_at: null,
    finished_at: null,
    coordinator: t.self,
    term: t.term,
    version: 0,
    assignments: [],
    ...(e.pin ? { nodes: [...e.pin.nodes], start_not_before: e.pin.startAt, child_of: e.pin.childOf } : {}),
  };
  t.put(e.executionId, { doc, progress: new Map() });
  assign(t, e.executionId);
  evaluate(t, e.executionId);
}

function cancel(t: Turn, e: Event<'cancel'>): ExecutionStatus {
  requireOffice(t);
  const id = e.executionId;
  const live = t.live(id);
  if (!live || live.doc.status !== 'running') {
    const known = live?.doc ?? e.stored;
    if (!known) throw new McpError('EXECUTION_NOT_FOUND', `no execution ${id}`);
    if (known.status !== 'pending') return known.status;
    if (!live) t.put(id, { doc: known, progress: new Map() });
  }
  end(t, id, 'cancelled');
  // Every node ever assigned, whatever its state: a stop is harmless where nothing runs.
  for (const a of t.live(id)!.doc.assignments) command(t, id, a.node_id, { kind: 'task.stop', payload: { execution_id: id, term: t.term } }, 'reliable');
  evaluate(t, id);
  return 'cancelled';
}

function delta(t: Turn, e: Event<'delta'>): DeltaAck {
  requireOffice(t);
  const { delta: d } = e;
  if (d.run_id !== runIdOf(e.executionId, e.task, e.from)) {
    throw new McpError('PERMANENT_DELTA_MISMATCH', `delta ${d.run_id} does not belong to task ${e.task} of ${e.from}`);
  }
  const live = t.live(e.executionId);
  if (!live) {
    // Not live here (ended, or never known): stored all the same, the store keeps it once.
    t.effects.push({ type: 'record-delta', delta: { execution_id: e.executionId, run_id: d.run_id, seq: d.seq, delta: d } });
    return { status: e.storedStatus ?? 'unknown', ...shareAnswer(undefined, e.storedStatus, e.from) };
  }
  const before = live.progress.get(d.run_id);
  const heard = new Map(live.heard);
  heard.set(e.from, t.now);
  if (alreadyMerged(before, d.seq)) {
    // A delta sent again is word from its generator all the same (see share-lease.ts).
    t.put(e.executionId, { ...live, heard });
  } else {
    t.effects.push({ type: 'record-delta', delta: { execution_id: e.executionId, run_id: d.run_id, seq: d.seq, delta: d } });
    const progress = new Map(live.progress);
    progress.set(d.run_id, advance(before, d.seq, d.final));
    t.put(e.executionId, { ...live, progress, heard });
    // A run that stopped on its own (it woke from a freeze) left the rest of its share undone; one the
    // coordinator stopped (a stress test broke its objective) did what was asked.
    if (d.final && d.stopped && live.doc.stopped_early === undefined) failAndResegment(t, e.executionId, [e.from], 'generator stopped its run');
    evaluate(t, e.executionId);
  }
  const status = t.docOf(e.executionId)!.status;
  // Ended in this step: no longer live, its document says how.
  return { status, ...shareAnswer(t.live(e.executionId), status, e.from) };
}

/** A renewal: word from the generator (it is not silent), answered with the verdict on its share. */
function renew(t: Turn, e: Event<'renew'>): DeltaAck {
  requireOffice(t);
  const live = t.live(e.executionId);
  if (!live) return { status: e.storedStatus ?? 'unknown', ...shareAnswer(undefined, e.storedStatus, e.from) };
  const heard = new Map(live.heard);
  heard.set(e.from, t.now);
  t.put(e.executionId, { ...live, heard });
  return { status: live.doc.status, ...shareAnswer(live, undefined, e.from) };
}

function completed(t: Turn, e: Event<'send.acknowledged' | 'send.refused' | 'send.timed-out'>): void {
  const send = t.sends.get(e.id);
  if (!send) return; // from an office left since
  t.sends.delete(e.id);
  const { executionId: id, node } = send;
  if (send.purpose === 'command') {
    if (e.type === 'send.acknowledged') return;
    // A share is never re-sent to an execution that is over; a stop always is.
    const over = send.command.kind !== 'task.stop' && t.live(id)?.doc.status !== 'running';
    if (e.type === 'send.timed-out' && send.retriesLeft > 0 && !isLost(t, node) && !over) {
      t.send(id, node, send.command, send.mode, COMMAND_DEADLINE_MS, 'command', send.retriesLeft - 1);
      return;
    }
    t.log('warn', `${send.command.kind} not delivered`, { node, execution: id, error: e.error });
    return;
  }
  const live = t.live(id);
  if (!live?.round?.outstanding.has(e.id) || live.doc.status !== 'running') return;
  const outstanding = new Set(live.round.outstanding);
  outstanding.delete(e.id);
  let failed = live.round.failed;
  // A generator that has renewed or sent a delta holds its assignment, whatever became of the answer to
  // it: failing it now would move a share whose lease it may hold (share-lease.ts).
  if (e.type === 'send.acknowledged' || live.heard?.has(node)) {
    const a = live.doc.assignments.find((x) => x.node_id === node);
    if (a?.state === 'assigned') setAssignment(t, id, node, 'running'); // never revive a failed one
    if (a && e.type === 'send.acknowledged') t.doc(id).assignments.find((x) => x.node_id === node)!.assign_rtt_ms = Math.round(e.rttMs * 1000) / 1000;
  } else {
    t.log('warn', 'assignment failed', { node, execution: id, error: e.error, refused: e.type === 'send.refused' });
    failed = [...failed, node];
  }
  t.put(id, { ...t.live(id)!, round: outstanding.size > 0 ? { outstanding, failed } : undefined });
  // Shares move once every generator has answered: a resegment must not overtake an assignment.
  if (outstanding.size === 0 && failed.length > 0) failAndResegment(t, id, failed, 'assignment not acknowledged');
  evaluate(t, id);
}
