// The guardrails of a running peer, ready to wire: REST and the coordinator admit executions, /load/start
// checks its task, and a generator re-checks what it is assigned against its own policy.
import type { Config } from '../config/schema.js';
import { McpError } from '../errors.js';
import type { LoadTask, Plan } from '../plan/index.js';
import { admitOneMore } from './admission.js';
import { guardPlan, guardTask } from './check-plan.js';
import { resolveOneTask } from '../security/secrets.js';
import { validatePlan } from '../plan/index.js';
import type { PeerMessenger } from '../protocol/peer-messenger.js';
import { openPolicyWarning, policyFromConfig, type GuardPolicy } from './policy.js';

export interface PeerGuard {
  policy: GuardPolicy;
  /** A warning to log at start, when any target is allowed on a status port reachable from the network. */
  warning?: string;
  /** Caps, targets and the concurrency cap of a new execution; throws a coded error. */
  admitExecution(plan: Plan, executionId: string): Promise<void>;
  /** Caps and targets of a task run here (/load/start); returns it with its `${env:NAME}` secrets resolved. */
  checkTask(task: LoadTask, prefix: string): Promise<LoadTask>;
  /** The messenger a generator takes assignments from, checking each assigned plan against this peer's own caps and targets first. */
  checkingAssignments(messenger: PeerMessenger): PeerMessenger;
  /** For the wire: the same refusal as a `PERMANENT_<code>` error a sender will not retry. */
  asPermanent(error: unknown): unknown;
}

/** The TCP ports in libp2p listen addresses (`/ip4/…/tcp/4001/p2p/…`). */
export function tcpPorts(addresses: readonly string[]): number[] {
  return [...new Set(addresses.map((a) => /\/tcp\/(\d+)/.exec(a)?.[1]).filter((p): p is string => p !== undefined).map(Number))];
}

/** An admitted execution counts until the store shows it, at most this long. */
const ADMITTED_MS = 10_000;

export function peerGuard(
  config: Config,
  options: {
    ownPorts: number[];
    /** Executions pending or running, as this peer's store has them. */
    activeExecutions: () => string[];
    /** Whether the store has recorded this execution (in any state). */
    recorded: (executionId: string) => boolean;
    permanent: (code: `PERMANENT_${string}`, error: McpError) => Error;
  },
): PeerGuard {
  const { policy } = policyFromConfig(config, { whenUnset: 'any', ownPorts: options.ownPorts });
  const warning = openPolicyWarning(config);
  const admitted = new Map<string, number>();
  const toPermanent = (error: unknown) => (error instanceof McpError && !error.code.startsWith('PERMANENT_') ? options.permanent(`PERMANENT_${error.code}`, error) : error);
  return {
    policy,
    ...(warning ? { warning } : {}),
    async admitExecution(plan, executionId) {
      // The store shows an execution only once the coordinator has recorded it: count the ones admitted
      // meanwhile too, so that a burst of submissions cannot slip past the cap.
      const now = Date.now();
      for (const [id, at] of admitted) if (now - at > ADMITTED_MS || options.recorded(id)) admitted.delete(id);
      const active = new Set([...options.activeExecutions(), ...admitted.keys()]);
      active.delete(executionId);
      admitOneMore(active.size, config.orchestrator.max_concurrent_executions);
      await guardPlan(plan, policy);
      admitted.set(executionId, now);
    },
    async checkTask(task, prefix) {
      await guardTask(task, policy, prefix);
      return resolveOneTask(task, process.env, prefix);
    },
    checkingAssignments: (messenger) => ({
      send: (to, kind, payload, mode, opts) => messenger.send(to, kind, payload, mode, opts),
      post: (to, kind, payload) => messenger.post(to, kind, payload),
      on(kind, handler) {
        if (kind !== 'task.assign') return messenger.on(kind, handler);
        messenger.on(kind, async (request, from) => {
          try {
            // Nothing is sent to a target this peer refuses, whoever assigned it.
            await guardPlan(validatePlan((request as { plan: unknown }).plan), policy);
          } catch (error) {
            throw toPermanent(error);
          }
          return handler(request, from);
        });
      },
    }),
    asPermanent: toPermanent,
  };
}
