// What the node monitor knows, readable by the rest of the peer (HealthSource). Only the actor writes.
import type { Alert, ClusterHealth, HealthSample, HealthSource, ProcessProbe, Saturation } from '../../src/health.js';
import { emptyAlerts, type AlertState } from './alerts.js';
import { clusterHealth, type MemberStatus } from './cluster-view.js';
import { assessSaturation, type SaturationBounds } from './saturation.js';

/** Probes kept per node: an hour at one a second. */
const PROBE_HISTORY = 3_600;

export class HealthBoard implements HealthSource {
  readonly samples = new Map<string, HealthSample>();
  readonly probes = new Map<string, ProcessProbe[]>();
  alertState: AlertState = emptyAlerts();
  members: MemberStatus[] = [];

  constructor(
    readonly self: string,
    private readonly opts: { now: () => number; staleMs: number; saturation: SaturationBounds },
  ) {}

  addProbe(node: string, probe: ProcessProbe): void {
    const list = this.probes.get(node) ?? [];
    if (list.length > 0 && list[list.length - 1]!.at >= probe.at) return; // repeated or reordered
    list.push(probe);
    if (list.length > PROBE_HISTORY) list.splice(0, list.length - PROBE_HISTORY);
    this.probes.set(node, list);
  }

  latestSamples(): Map<string, HealthSample> {
    return new Map(this.samples);
  }

  cluster(): ClusterHealth {
    const members = this.members.some((m) => m.node_id === this.self) ? this.members : [{ node_id: this.self, status: 'alive' as const }, ...this.members];
    return clusterHealth(members, this.samples, this.opts.now(), this.opts.staleMs);
  }

  alerts(activeOnly: boolean): Alert[] {
    const own = activeOnly ? Object.values(this.alertState.active) : this.alertState.history;
    const others = [...this.samples.values()].filter((s) => s.node_id !== this.self).flatMap((s) => s.active_alerts);
    return [...own, ...others].sort((a, b) => a.raised_at - b.raised_at);
  }

  saturation(node: string, from: number, to: number): Saturation {
    return assessSaturation(node, this.probes.get(node) ?? [], from, to, this.opts.saturation);
  }
}
