// What a peer lets a plan ask for: caps from the configuration, the target allow-list, and its own ports.
import { networkInterfaces } from 'node:os';
import type { Problem } from '../errors.js';
import type { Config } from '../config/schema.js';
import { SETTINGS } from '../config/settings.js';
import { parseAllowList, type AllowList } from './allow-list.js';
import { isLocalHost, isLoopback, normaliseHost } from './addresses.js';

export interface Limits {
  /** Requests per second of one task (its peak). */
  max_rps: number;
  /** Seconds one task may last. */
  max_duration: number;
  /** Connections, users and requests in flight of one task. */
  max_connections: number;
  max_targets_per_task: number;
  max_tasks_per_plan: number;
  /** Requests one execution may send at most (its plan's upper bound). */
  max_total_requests: number;
  /** Bytes of request bodies in one plan. */
  max_body_bytes: number;
  /** Seconds after which a task is ended by force (orchestrator.task_timeout). */
  task_timeout: number;
}

/** An unset allow-list means any target (REST, CLI) or loopback only (the MCP server). */
export type UnsetAllowList = 'any' | 'loopback';

export interface GuardPolicy {
  limits: Limits;
  /** Undefined when no allow-list is configured. */
  allowList?: AllowList;
  whenUnset: UnsetAllowList;
  /** This peer's own endpoints: a target there is refused (a plan must not drive its own peer). */
  own: { ports: number[]; hosts: string[] };
}

/** A refusal: the field, what was asked, the cap, and the setting that would change it. */
export interface GuardProblem extends Problem {
  code: string;
  setting: string;
  value?: number | string;
  limit?: number | string;
}

/** `limits.max_rps (MCP_LIMITS_MAX_RPS, --max-rps)`: how a user changes a setting. */
export function settingName(path: string): string {
  const s = SETTINGS.find((x) => x.path.join('.') === path);
  return s ? `${path} (${s.env}, --${s.flag})` : path;
}

export function limitsFromConfig(config: Config): Limits {
  return { ...config.limits, task_timeout: config.orchestrator.task_timeout };
}

/** The addresses of this host's interfaces: what an unspecified listen address (0.0.0.0, ::) serves on. */
function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .map((i) => i?.address)
    .filter((a): a is string => typeof a === 'string');
}

function ownHosts(listenHosts: readonly string[]): string[] {
  const hosts = new Set<string>();
  for (const raw of listenHosts) {
    const h = normaliseHost(raw);
    hosts.add(h);
    if (isLocalHost(h) && !['localhost', '127.0.0.1', '::1'].includes(h)) for (const a of interfaceAddresses()) hosts.add(normaliseHost(a));
  }
  return [...hosts];
}

export interface PolicyOptions {
  whenUnset: UnsetAllowList;
  /** This peer's listening ports (status, p2p); none for the `run` command. */
  ownPorts?: number[];
}

/** The policy a peer applies, or the problems of its allow-list setting. */
export function policyFromConfig(config: Config, options: PolicyOptions): { policy: GuardPolicy; problems: Problem[] } {
  const entries = config.security.allowed_targets;
  const { list, problems } = parseAllowList(entries, 'security.allowed_targets');
  const policy: GuardPolicy = {
    limits: limitsFromConfig(config),
    ...(entries.length > 0 ? { allowList: list } : {}),
    whenUnset: options.whenUnset,
    own: { ports: options.ownPorts ?? [], hosts: options.ownPorts?.length ? ownHosts([config.orchestrator.host, config.p2p.host]) : [] },
  };
  return { policy, problems };
}

/** A warning for the log when a peer reachable from the network may aim at any target. */
export function openPolicyWarning(config: Config): string | undefined {
  if (config.security.allowed_targets.length > 0 || isLoopback(config.orchestrator.host)) return undefined;
  return `the status port listens on ${config.orchestrator.host} and no target allow-list is set: any client that can reach it may aim load at any address; set ${settingName('security.allowed_targets')}`;
}
