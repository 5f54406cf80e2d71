// What the coordinator does to one execution: assign shares with an agreed start, move the shares of
// failed generators to the others, mark generators done, end the execution, and say when to look again.
import { CANCELLED_LINGER_MS, COMMAND_DEADLINE_MS, COMMAND_RETRIES, FINAL_GRACE_MS, RESEGMENT_LEAD_MS, START_DELAY_MS, type Command, type LiveExecution } from './model.js';
import { maxDurationMs, runIdOf, type Assignment, type ExecutionDoc } from '../../../src/execution/contract.js';
import type { AcknowledgedMode } from '../../../src/protocol/peer-messenger.js';
import type { AssignRequest } from '../../../src/protocol/peer-protocol.js';
import type { Turn } from './turn.js';
import { leaseOver, nextSilence, silentNodes } from './silence.js';
import { absorb } from './absorb.js';

export type EndStatus = 'completed' | 'failed' | 'cancelled';

const isActive = (a: Assignment) => a.state === 'assigned' || a.state === 'running';

/** A node is lost when membership says it is dead or no longer knows it; a suspect one keeps its share. */
export function isLost(t: Turn, node: string): boolean {
  if (node === t.self) return false;
  return (t.members.find((m) => m.node_id === node)?.status ?? 'dead') === 'dead';
}

/** True when every task run of `node` has delivered its final delta and none before it is missing. */
export function finished(live: LiveExecution, node: string): boolean {
  return live.doc.plan.tasks.every((_, task) => {
    const p = live.progress.get(runIdOf(live.doc.execution_id, task, node));
    return p !== undefined && p.final && p.extra.length === 0;
  });
}

export function assignPayload(t: Turn, doc: ExecutionDoc, a: Assignment): AssignRequest {
  return { execution_id: doc.execution_id, term: t.term, name: doc.name, plan: doc.source, segment: a.segment, start_at: doc.start_at ?? t.now };
}

/** A command to a generator, retried (see `retry`) until acknowledged, refused or the node is lost. */
export function command(t: Turn, executionId: string, node: string, cmd: Command, mode: AcknowledgedMode): void {
  t.send(executionId, node, cmd, mode, COMMAND_DEADLINE_MS, 'command', COMMAND_RETRIES);
}

/** The lead before an execution's start: longer when no other execution runs (its generators may be at rest: LifecycleDeps). */
function leadMs(t: Turn, id: string): number {
  const atRest = ![...t.executions.values()].some((live) => live.doc.execution_id !== id && live.doc.status === 'running');
  return atRest ? Math.max(START_DELAY_MS, t.deps.restLeadMs ?? START_DELAY_MS) : START_DELAY_MS;
}

/** Split the whole among the generators available now; they all start the lead (leadMs) from now. */
export function assign(t: Turn, id: string): void {
  const pinned = t.live(id)!.doc.nodes;
  // A workload's scenario runs where it was placed, on those of its nodes still there.
  const nodes = pinned ? pinned.filter((n) => !isLost(t, n)) : t.generators;
  if (nodes.length === 0) {
    t.doc(id).error = pinned ? `no node it was placed on is available (${pinned.join(', ')})` : 'no generator available';
    end(t, id, 'failed');
    return;
  }
  const doc = t.doc(id);
  const segments = t.deps.split(nodes);
  doc.start_at = Math.max(t.now + leadMs(t, id), doc.start_not_before ?? 0);
  doc.assignments = nodes.map((node_id): Assignment => {
    const segment = segments.get(node_id)!;
    return { node_id, segment, state: 'assigned', updated_at: t.now, shares: [{ at: doc.start_at!, segment }] };
  });
  doc.status = 'running';
  // Exactly once, and no retry: an assignment that is not acknowledged by the start has its share moved.
  const deadline = doc.start_at - t.now;
  const outstanding = new Set(doc.assignments.map((a) => t.send(id, a.node_id, { kind: 'task.assign', payload: assignPayload(t, doc, a) }, 'exactly-once', deadline, 'round', 0)));
  t.put(id, { ...t.live(id)!, round: { outstanding, failed: [] } });
}

export function setAssignment(t: Turn, id: string, node: string, state: Assignment['state'], reason?: string): void {
  const current = t.live(id)?.doc.assignments.find((x) => x.node_id === node);
  if (!current || current.state === state) return;
  const a = t.doc(id).assignments.find((x) => x.node_id === node)!;
  a.state = state;
  a.updated_at = t.now;
  if (reason) a.reason = reason;
}

/** Fail these generators (and stop them, in case they live) and hand their shares to the others. */
export function failAndResegment(t: Turn, id: string, nodes: readonly string[], reason: string): void {
  const live = t.live(id)!;
  const failing = nodes.filter((node) => live.doc.assignments.some((a) => a.node_id === node && isActive(a)));
  if (failing.length === 0) return;
  // Arrivals due from `at` on are the others': the accounting counts the lost ones up to it.
  const at = t.now + RESEGMENT_LEAD_MS;
  for (const node of failing) {
    setAssignment(t, id, node, 'failed', reason);
    t.doc(id).assignments.find((x) => x.node_id === node)!.moved_at = at;
    // If it is in fact alive, its old share must not run on beside the new ones.
    command(t, id, node, { kind: 'task.stop', payload: { execution_id: id, term: t.term } }, 'reliable');
  }
  const doc = t.doc(id);
  const remaining = doc.assignments.filter(isActive).map((a) => a.node_id);
  // The others ran their shares to the end (a generator that woke from a freeze after they finished):
  // nothing is left to move, and the execution completes with the lost share's arrivals accounted for.
  if (remaining.length === 0 && doc.assignments.some((a) => a.state === 'done')) return;
  if (remaining.length === 0) {
    doc.error = `every generator failed (${reason})`;
    end(t, id, 'failed');
    return;
  }
  // The lost shares go to their neighbours: no other share shrinks (absorb.ts).
  const segments = absorb(new Map(remaining.map((node) => [node, doc.assignments.find((x) => x.node_id === node)!.segment])))!;
  for (const node of remaining) {
    const a = doc.assignments.find((x) => x.node_id === node)!;
    a.segment = segments.get(node)!;
    // A move before the start applies from the start: the spans stay in time order.
    a.shares = [...(a.shares ?? []), { at: Math.max(at, doc.start_at ?? at), segment: a.segment }];
  }
  for (const node of remaining) {
    command(t, id, node, { kind: 'task.resegment', payload: { execution_id: id, term: t.term, version: doc.version, segment: segments.get(node)!, at } }, 'exactly-once');
  }
  t.log('info', 'moved shares', { execution: id, lost: failing.join(','), to: remaining.join(',') });
}

export function end(t: Turn, id: string, status: EndStatus): void {
  const doc = t.doc(id);
  doc.status = status;
  doc.finished_at = t.now;
  if (status === 'cancelled') for (const a of doc.assignments) if (isActive(a)) a.state = 'cancelled';
  t.ended(id);
  const live = t.live(id)!;
  // A cancelled execution stays a while for late deltas; its round, if any, is over.
  if (status === 'cancelled') t.put(id, { ...live, round: undefined });
  else t.drop(id);
}

/**
 * Look at one execution now: move the shares of lost generators, mark finished ones done, end it when
 * every result is in after the planned end (or the grace is over), and say when to look again.
 */
export function evaluate(t: Turn, id: string): void {
  const live = t.live(id);
  if (!live) return;
  const { doc } = live;
  if (doc.status === 'cancelled') {
    const until = (doc.finished_at ?? t.now) + CANCELLED_LINGER_MS;
    if (t.now > until) t.drop(id);
    else wakeAt(t, id, until + 1);
    return;
  }
  if (doc.status !== 'running' || doc.start_at === null) return;
  const lost = doc.assignments.filter((a) => isActive(a) && isLost(t, a.node_id) && !finished(live, a.node_id) && leaseOver(live, a.node_id, t.now)).map((a) => a.node_id);
  if (lost.length > 0) failAndResegment(t, id, lost, 'generator died');
  if (t.live(id)?.doc.status !== 'running') return;
  // A load stopped early (doc.stopped_early, replicated: a new coordinator keeps it) ends when its final results are in.
  const endAt = Math.min(doc.start_at + maxDurationMs(doc.plan), doc.stopped_early?.at ?? Infinity);
  const silent = silentNodes(t.live(id)!, t.self, t.now, endAt, (node) => finished(live, node));
  if (silent.length > 0) failAndResegment(t, id, silent, 'generator silent');
  if (t.live(id)?.doc.status !== 'running') return;
  for (const a of t.live(id)!.doc.assignments) {
    if (a.state !== 'failed' && a.state !== 'done' && finished(live, a.node_id)) setAssignment(t, id, a.node_id, 'done');
  }
  const assignments = t.live(id)!.doc.assignments;
  const unfinished = assignments.filter((a) => a.state !== 'failed' && !finished(live, a.node_id));
  // A plan of scans only ends once every scan is in, however sooner than its bound (its request budget at its rate).
  const scansOnly = doc.plan.tasks.every((task) => task.type === 'security_test');
  const allIn = scansOnly && unfinished.length === 0 && assignments.some((a) => a.state === 'done');
  if ((t.now >= endAt || allIn) && unfinished.length === 0) end(t, id, 'completed');
  else if (t.now >= endAt + FINAL_GRACE_MS) {
    for (const a of unfinished) setAssignment(t, id, a.node_id, 'failed', 'no final results');
    end(t, id, 'completed');
  } else wakeAt(t, id, t.now < endAt ? Math.min(endAt, nextSilence(t.live(id)!, t.self, endAt) ?? endAt) : endAt + FINAL_GRACE_MS);
}

/** Stop every generator's load now (once); the execution completes when their final results are in. */
export function stopEarly(t: Turn, id: string, reason: string): void {
  const live = t.live(id);
  if (!live || live.doc.status !== 'running' || live.doc.stopped_early !== undefined) return;
  t.doc(id).stopped_early = { at: t.now, reason };
  t.log('info', 'stopping load early', { execution: id, reason });
  for (const a of live.doc.assignments) if (isActive(a)) command(t, id, a.node_id, { kind: 'task.stop', payload: { execution_id: id, term: t.term } }, 'reliable');
  evaluate(t, id);
}

function wakeAt(t: Turn, id: string, at: number): void {
  const live = t.live(id)!;
  if (live.wakeAt === at) return;
  t.put(id, { ...live, wakeAt: at });
  t.schedule(id, at);
}
