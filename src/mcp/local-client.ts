// The peer's own ClusterClient: the very sources and operations the REST routes use, without HTTP.
import { cancelExecution, executionView, listExecutions, submitPlan, type ExecutionsSource } from '../http/routes/executions.js';
import type { ClusterSource } from '../http/routes/cluster.js';
import type { ClusterClient, ExecutionView } from './cluster-client.js';

export function localClusterClient(cluster: ClusterSource, executions: ExecutionsSource): ClusterClient {
  return {
    describe: `in-process peer ${cluster.nodeId}`,
    async status() {
      const [nodes, coordinator] = await Promise.all([cluster.nodes(), cluster.coordinator()]);
      return {
        node_id: cluster.nodeId,
        coordinator: coordinator?.node_id ?? null,
        term: coordinator?.term ?? null,
        nodes: nodes.map((n) => ({ ...n, is_coordinator: n.node_id === coordinator?.node_id })).sort((a, b) => (a.node_id < b.node_id ? -1 : 1)),
      };
    },
    submit: (plan) => submitPlan(executions, plan),
    get: async (id) => executionView(executions, id) satisfies ExecutionView,
    list: async () => listExecutions(executions),
    cancel: (id) => cancelExecution(executions, id),
  };
}
