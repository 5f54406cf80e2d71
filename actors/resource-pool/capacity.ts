// What this peer offers to the pool: detected from the machine, each figure overridable in
// configuration, plus custom resources under their own names.
import { readdirSync, readFileSync, statfsSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';

export interface CapacityConfig {
  cpu_cores?: number | undefined;
  memory_bytes?: number | undefined;
  disk_bytes?: number | undefined;
  network_mbps?: number | undefined;
  custom: Record<string, number>;
}

/** Link speed of the fastest non-loopback interface (Linux sysfs); 1000 when unknown. */
function networkMbps(): number {
  try {
    const speeds = readdirSync('/sys/class/net')
      .filter((i) => i !== 'lo')
      .map((i) => {
        try {
          return Number(readFileSync(`/sys/class/net/${i}/speed`, 'utf8').trim());
        } catch {
          return NaN;
        }
      })
      .filter((s) => Number.isFinite(s) && s > 0);
    return speeds.length > 0 ? Math.max(...speeds) : 1000;
  } catch {
    return 1000;
  }
}

function diskBytes(path: string): number {
  try {
    const s = statfsSync(path);
    return s.blocks * s.bsize;
  } catch {
    return 0;
  }
}

export function detectCapacity(config: CapacityConfig, dataDir: string): Record<string, number> {
  return {
    cpu: config.cpu_cores ?? availableParallelism(),
    memory: config.memory_bytes ?? totalmem(),
    disk: config.disk_bytes ?? diskBytes(dataDir),
    network: config.network_mbps ?? networkMbps(),
    ...config.custom,
  };
}
