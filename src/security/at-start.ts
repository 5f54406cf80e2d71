// What a peer checks before it opens anything: its cluster key, and that nothing reachable from the network is left unguarded.
import { ConfigError } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { loadClusterKey } from './cluster-key.js';
import { startupChecks } from './startup.js';

/** Throws ConfigError (exit 2) listing every reason not to start; returns the key and the warnings to log. */
export function securityAtStart(config: Config): { psk?: Uint8Array; warnings: string[] } {
  const key = loadClusterKey(config);
  const { problems, warnings } = startupChecks(config, key.psk !== undefined);
  if (key.problems.length > 0 || problems.length > 0) throw new ConfigError([...key.problems, ...problems]);
  return { ...(key.psk ? { psk: key.psk } : {}), warnings };
}
