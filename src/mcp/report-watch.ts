// Notices when executions' reports change (new results while running, a final status), so that clients
// subscribed to `execution://{id}/report` are told to read it again. Polls the cluster only while active.
import type { ClusterClient } from './cluster-client.js';
import { reportUri } from './resources.js';

const INTERVAL_MS = 1_000;

export interface ReportWatch {
  stop(): void;
}

export function watchReports(cluster: ClusterClient, onChange: (uri: string) => void, options: { active: () => boolean; intervalMs?: number; onError?: (error: unknown) => void }): ReportWatch {
  const seen = new Map<string, string>();
  let busy = false;
  const tick = async () => {
    if (busy || !options.active()) return;
    busy = true;
    try {
      for (const e of await cluster.list()) {
        const signature = `${e.status}:${e.progress_percent}`;
        const before = seen.get(e.execution_id);
        seen.set(e.execution_id, signature);
        if (before !== undefined && before !== signature) onChange(reportUri(e.execution_id));
      }
    } catch (error) {
      options.onError?.(error);
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), options.intervalMs ?? INTERVAL_MS);
  timer.unref();
  void tick();
  return { stop: () => clearInterval(timer) };
}
