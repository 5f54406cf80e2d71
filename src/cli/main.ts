// `node peer.js [command] [flags]`: parses the configuration and runs the command.
import { ConfigError, helpText, loadConfig, type LoadedConfig } from '../config/load.js';
import { createLogger } from '../util/log.js';
import { VERSION } from '../version.js';
import { setLoadWorkerCount } from '../../actors/load-generator/worker-pool.js';

import { EXIT } from './exit-codes.js';

export { EXIT };

export async function main(argv: readonly string[]): Promise<number> {
  let loaded: LoadedConfig;
  try {
    loaded = await loadConfig(argv);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n\nRun 'node peer.js --help' for the options.\n`);
      return EXIT.INVALID;
    }
    throw error;
  }
  if (loaded.help) {
    process.stdout.write(helpText() + '\n');
    return EXIT.OK;
  }
  if (loaded.version) {
    process.stdout.write(VERSION + '\n');
    return EXIT.OK;
  }
  const log = createLogger(loaded.config.orchestrator.log_level);
  const workers = loaded.config.load_generation?.workers;
  if (workers !== undefined) setLoadWorkerCount(workers);
  const [command = 'start', ...operands] = loaded.positionals;
  switch (command) {
    case 'start':
      if (operands.length > 0) return usage(`'start' takes no operands, got: ${operands.join(' ')}`);
      // Loaded on demand: --help and config errors answer without loading libp2p.
      return (await import('./start.js')).runPeer(loaded.config, log);
    case 'run':
      if (operands.length !== 1) return usage(`'run' takes one plan file, got ${operands.length}`);
      return (await import('./run.js')).runPlanCommand(operands[0]!, loaded.command, log, loaded.config);
    case 'mcp':
      if (operands.length > 0) return usage(`'mcp' takes no operands, got: ${operands.join(' ')}`);
      return (await import('./mcp.js')).runMcpStdio(loaded.config, loaded.command.peer, log);
    case 'keygen': {
      if (operands.length > 0) return usage(`'keygen' takes no operands, got: ${operands.join(' ')}`);
      const { newClusterKey } = await import('../security/cluster-key.js');
      process.stdout.write('A new cluster key. Give the same key to every peer: MCP_CLUSTER_KEY=<key>, or save it in a file for --cluster-key-file.\n');
      process.stdout.write(`${newClusterKey()}\n`);
      return EXIT.OK;
    }
    default:
      return usage(`unknown command '${command}'`);
  }
}

function usage(message: string): number {
  process.stderr.write(`${message}\n\nRun 'node peer.js --help' for usage.\n`);
  return EXIT.INVALID;
}
