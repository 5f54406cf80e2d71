// Messages of the node-monitor actor.
import type { CheckResult, HealthSample, ProcessProbe } from '../../src/health.js';
import type { MemberStatus } from './cluster-view.js';
import type { SystemSnapshot } from './sampler.js';
import type { HealthCheck } from './checks.js';

export type NodeMonitorMessage =
  | { type: 'sample.tick' }
  | { type: 'sample.taken'; snapshot: SystemSnapshot }
  | { type: 'sample.failed'; error: unknown }
  | { type: 'probe.tick' }
  | { type: 'probe.taken'; probe: ProcessProbe }
  | { type: 'check.register'; check: HealthCheck }
  | { type: 'check.tick'; name: string }
  | { type: 'check.done'; result: CheckResult }
  | { type: 'heard.sample'; sample: HealthSample }
  | { type: 'heard.probe'; node_id: string; probe: ProcessProbe }
  | { type: 'members'; members: MemberStatus[] }
  /** Gossip the latest sample now: a member joined. */
  | { type: 'welcome' };
