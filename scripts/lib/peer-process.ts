// Starts `node peer.js` as a child process and reads its start line; shared by tests, the cluster script and benchmarks.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'peer.js'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('peer.js not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return dir;
}

export const REPO_ROOT = findRoot();
export const PEER_JS = join(REPO_ROOT, 'peer.js');

export interface PeerProcessOptions {
  dataDir: string;
  httpPort?: number;
  p2pPort?: number;
  bootstrap?: string[];
  mdns?: boolean;
  env?: Record<string, string>;
  args?: string[];
  /** Flags for node itself, before peer.js (`--inspect=127.0.0.1:0`, `--max-old-space-size=…`). */
  nodeArgs?: string[];
  /** Another checkout's peer.js (a bench comparing two builds); default this one's. */
  peerJs?: string;
  /** Run inside this network namespace (`ip netns exec NAME node peer.js ...`). */
  netns?: string;
  logLevel?: string;
  startTimeoutMs?: number;
}

export interface PeerProcess {
  readonly id: string;
  readonly addresses: string[];
  readonly httpUrl: string;
  readonly child: ChildProcess;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

const START_LINE = /^peer (\S+) listening on (.*) status (\S+)$/m;

export async function startPeerProcess(options: PeerProcessOptions): Promise<PeerProcess> {
  const args = [
    ...(options.nodeArgs ?? []),
    options.peerJs ?? PEER_JS,
    '--data-dir', options.dataDir,
    '--http-port', String(options.httpPort ?? 0),
    '--p2p-port', String(options.p2pPort ?? 0),
    '--log-level', options.logLevel ?? 'info',
    ...(options.bootstrap && options.bootstrap.length > 0 ? ['--bootstrap', options.bootstrap.join(',')] : []),
    ...(options.args ?? []),
  ];
  const env = {
    ...process.env,
    // Never multicast from the host namespace: mDNS only where the caller asks for it (inside a test namespace).
    MCP_DISCOVERY_MDNS: options.mdns ? 'true' : 'false',
    ...options.env,
  };
  const [command, argv] = options.netns ? ['ip', ['netns', 'exec', options.netns, process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(command, argv, { env, cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit');

  const timeoutMs = options.startTimeoutMs ?? 15_000;
  const started = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // no one else holds a handle to it
      reject(new Error(`peer did not start within ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    const check = () => {
      const match = START_LINE.exec(stdout);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve(match);
      }
    };
    child.stdout!.on('data', check);
    void exited.then(([code]) => {
      clearTimeout(timer);
      reject(new Error(`peer exited with ${String(code)} before starting:\n${stderr}`));
    });
  });

  return {
    id: started[1]!,
    addresses: started[2]!.split(' '),
    httpUrl: started[3]!,
    child,
    stderr: () => stderr,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const [code] = await exited;
      return code as number | null;
    },
  };
}

export async function getJson<T = unknown>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return (await response.json()) as T;
}

/** Poll `check` until it returns a value other than undefined/false, or fail after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number, what: string, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Ports this process has handed out, never handed out twice. */
const handedOut = new Set<number>();

/** The first port the kernel may give an outgoing connection (Linux; elsewhere its usual default). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (low > 0) return low;
  } catch {
    // not Linux
  }
  return 32_768;
}

/** Listen on `port` of 127.0.0.1 (0: any) and let go: the port it had, or undefined when taken. */
async function probe(port: number): Promise<number | undefined> {
  const { createServer } = await import('node:net');
  const server = createServer();
  const listening = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (!listening) return undefined;
  const bound = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return bound;
}

/**
 * A free TCP port on 127.0.0.1, for callers that must know ports before starting peers. Taken below
 * the ephemeral range: between this probe and the peer's listen (or its restart on the same port), an
 * outgoing connection of any process (a load test's hundred) may take a port of that range as its own,
 * and the peer then fails with EADDRINUSE (seen in the freeze test during the whole suite).
 */
export async function freePort(): Promise<number> {
  const from = 10_000;
  const to = ephemeralLow();
  for (let attempt = 0; to - from > 1_000 && attempt < 100; attempt++) {
    const port = from + Math.floor(Math.random() * (to - from));
    if (handedOut.has(port) || (await probe(port)) === undefined) continue;
    handedOut.add(port);
    return port;
  }
  // No room below the ephemeral range: let the kernel choose.
  return (await probe(0))!;
}
