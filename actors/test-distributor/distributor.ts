// The test-distributor actor: places workloads with the chosen strategy, and learns from finished
// executions for `adaptive` (history kept on disk, so a restart does not forget).
import type { Behaviour } from '../../src/actor/types.js';
import type { DistributionPlan, History, ScenarioDemand, Strategy } from '../../src/distribution.js';
import { assertNever } from '../../src/util/assert-never.js';
import { candidatesOf, type ClusterView } from './candidates.js';
import { distribute } from './distribute.js';
import { learn, observe, type FinishedShare } from './learn.js';

export interface FinishedExecution {
  execution_id: string;
  duration_s: number;
  asked_rps: number;
  shares: FinishedShare[];
}

export interface DistributorInit {
  /** Executions finished since the peer started or last asked (the actor keeps what it learnt from). */
  finished(): Promise<FinishedExecution[]>;
  /** History and the executions already learnt from (so a restart does not count one twice). */
  persist: { load(): { history: History; learnt: string[] } | undefined; save(saved: { history: History; learnt: string[] }): void };
  learnEveryMs: number;
}

export type DistributorMessage =
  | { type: 'place'; strategy: Strategy; scenarios: ScenarioDemand[]; view: ClusterView; reply: (plan: DistributionPlan) => void }
  | { type: 'learn.tick' }
  | { type: 'learned'; executions: FinishedExecution[] }
  | { type: 'history.get'; reply: (history: History) => void };

/** Ids remembered as learnt: more than the finished executions ever looked at. */
const LEARNT_KEPT = 1_000;

interface DistributorState {
  history: History;
  cursor: number;
  learnt: Set<string>;
}

export function distributor(init: DistributorInit): Behaviour<DistributorMessage, DistributorState> {
  return {
    role: 'test-distributor',
    init(ctx) {
      ctx.startInterval('learn', init.learnEveryMs, { type: 'learn.tick' });
      const saved = init.persist.load();
      return { history: saved?.history ?? {}, cursor: 0, learnt: new Set(saved?.learnt ?? []) };
    },
    receive(state, msg, ctx) {
      switch (msg.type) {
        case 'place': {
          const plan = distribute({ strategy: msg.strategy, scenarios: msg.scenarios, candidates: candidatesOf(msg.view), history: state.history, cursor: state.cursor });
          state.cursor = plan.cursor;
          msg.reply(plan);
          break;
        }
        case 'learn.tick':
          init.finished().then(
            (executions) => ctx.self.tell({ type: 'learned', executions }),
            (error: unknown) => ctx.log.debug('no finished executions', { error }),
          );
          break;
        case 'learned': {
          const fresh = msg.executions.filter((e) => !state.learnt.has(e.execution_id));
          if (fresh.length === 0) break;
          for (const e of fresh) {
            state.learnt.add(e.execution_id);
            state.history = learn(state.history, observe(e.duration_s, e.asked_rps, e.shares));
          }
          state.learnt = new Set([...state.learnt].slice(-LEARNT_KEPT));
          init.persist.save({ history: state.history, learnt: [...state.learnt] });
          break;
        }
        case 'history.get':
          msg.reply(state.history);
          break;
        default:
          assertNever(msg);
      }
      return state;
    },
  };
}
