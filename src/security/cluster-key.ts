// The cluster key: a libp2p private-network pre-shared key (32 bytes). Peers without it fail the
// connection handshake before anything else is exchanged.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import type { Problem } from '../errors.js';

const HEX_KEY = /^[0-9a-fA-F]{64}$/;

/** A new key as 64 hex characters: what `MCP_CLUSTER_KEY` and a key file hold. */
export function newClusterKey(): string {
  return randomBytes(32).toString('hex');
}

/** The key as @libp2p/pnet reads it (the go-ipfs swarm.key format), from 64 hex characters or a swarm.key text. */
export function parseClusterKey(text: string): Uint8Array | string {
  const lines = text.trim().split(/\r?\n/).map((l) => l.trim());
  const hex = lines.length === 1 ? lines[0]! : lines.length === 3 && lines[0] === '/key/swarm/psk/1.0.0/' && lines[1] === '/base16/' ? lines[2]! : undefined;
  if (hex === undefined || !HEX_KEY.test(hex)) return "expected 64 hexadecimal characters (as printed by 'node peer.js keygen') or a swarm.key file";
  return new TextEncoder().encode(`/key/swarm/psk/1.0.0/\n/base16/\n${hex.toLowerCase()}`);
}

/** The configured key, if any; never echoes the key in a problem. */
export function loadClusterKey(config: Config): { psk?: Uint8Array; problems: Problem[] } {
  const { cluster_key: text, cluster_key_file: file } = config.security;
  if (text !== undefined && file !== undefined) {
    return { problems: [{ path: 'security.cluster_key', message: 'give the key as text (MCP_CLUSTER_KEY) or as a file (--cluster-key-file), not both' }] };
  }
  let source = text;
  if (file !== undefined) {
    try {
      source = readFileSync(file, 'utf8');
    } catch (error) {
      return { problems: [{ path: 'security.cluster_key_file', message: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}` }] };
    }
  }
  if (source === undefined) return { problems: [] };
  const psk = parseClusterKey(source);
  if (typeof psk === 'string') return { problems: [{ path: file !== undefined ? 'security.cluster_key_file' : 'security.cluster_key', message: psk }] };
  return { psk, problems: [] };
}
