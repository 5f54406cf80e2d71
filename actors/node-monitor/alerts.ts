// Alerts as a pure reducer: a level is raised after `after` consecutive breaching samples and resolved
// by the first sample back under its threshold. Each (metric, level) has at most one active alert.
import type { Alert } from '../../src/health.js';

export interface Measurement {
  metric: string;
  value: number;
  /** Breached when value >= threshold. */
  levels: readonly { level: Alert['level']; threshold: number }[];
}

export interface AlertState {
  /** Consecutive breaches per `metric/level`. */
  streaks: Record<string, number>;
  active: Record<string, Alert>;
  /** Every alert raised, newest last, bounded. */
  history: Alert[];
  seq: number;
}

export interface AlertEffects {
  raised: Alert[];
  resolved: Alert[];
}

export const HISTORY_LIMIT = 500;

export function emptyAlerts(): AlertState {
  return { streaks: {}, active: {}, history: [], seq: 0 };
}

export function evaluateAlerts(
  state: AlertState,
  input: { node: string; at: number; measurements: readonly Measurement[]; after: number },
): { state: AlertState; effects: AlertEffects } {
  const streaks = { ...state.streaks };
  const active = { ...state.active };
  let history = state.history;
  let seq = state.seq;
  const raised: Alert[] = [];
  const resolved: Alert[] = [];
  const replace = (alert: Alert) => {
    history = history.map((a) => (a.id === alert.id ? alert : a));
  };
  for (const m of input.measurements) {
    for (const { level, threshold } of m.levels) {
      const key = `${m.metric}/${level}`;
      const breached = m.value >= threshold;
      streaks[key] = breached ? (streaks[key] ?? 0) + 1 : 0;
      const current = active[key];
      if (breached && !current && streaks[key]! >= input.after) {
        seq += 1;
        const alert: Alert = { id: `${input.node}:${m.metric}:${level}:${seq}`, node: input.node, metric: m.metric, level, value: m.value, threshold, raised_at: input.at, resolved_at: null };
        active[key] = alert;
        history = [...history, alert];
        raised.push(alert);
      } else if (breached && current) {
        const updated = { ...current, value: m.value };
        active[key] = updated;
        replace(updated);
      } else if (!breached && current) {
        const done = { ...current, value: m.value, resolved_at: input.at };
        delete active[key];
        replace(done);
        resolved.push(done);
      }
    }
  }
  // A metric no longer measured (a check removed) keeps its alert until it comes back: nothing to do.
  if (history.length > HISTORY_LIMIT) history = history.slice(history.length - HISTORY_LIMIT);
  return { state: { streaks, active, history, seq }, effects: { raised, resolved } };
}
