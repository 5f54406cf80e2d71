// Two-process benchmarks over libp2p: the same script run again with `--receiver` starts a loopback
// transport, prints `{ id, addresses }` as its first line, and serves until its stdin closes
// (runReceiver); the sending side starts it and reads that line (startReceiver).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Libp2pTransport } from '../../src/transport/libp2p/transport.js';
import { silentLogger } from '../../src/util/log.js';

const EXIT_GRACE_MS = 3_000;
/** A receiver whose parent never closes its stdin still ends. */
const RECEIVER_LIMIT_MS = 600_000;

export interface Receiver {
  child: ChildProcess;
  id: string;
  addresses: string[];
}

/** A transport on 127.0.0.1 (a free port, mDNS off, no bootstrap) with its identity in a new temporary directory, removed when it stops. */
export async function startLoopbackTransport(name: string): Promise<{ transport: Libp2pTransport; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `mcpdt-bench-${name}-`));
  const transport = await Libp2pTransport.start({ dataDir: dir, host: '127.0.0.1', port: 0, mdns: false, bootstrap: [], log: silentLogger });
  return {
    transport,
    async stop() {
      await transport.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The `--receiver` side: `serve` registers its handlers (and returns what to stop before the transport,
 * if anything); then it prints the line startReceiver waits for and serves until stdin closes, SIGTERM
 * or RECEIVER_LIMIT_MS, and exits.
 */
export async function runReceiver(serve: (transport: Libp2pTransport) => Promise<(() => Promise<void>) | void>): Promise<never> {
  const { transport, stop } = await startLoopbackTransport('rx');
  const stopServing = await serve(transport);
  process.stdout.write(`${JSON.stringify({ id: transport.self, addresses: transport.addresses() })}\n`);
  process.stdin.resume();
  await Promise.race([once(process.stdin, 'end'), once(process, 'SIGTERM'), new Promise((r) => setTimeout(r, RECEIVER_LIMIT_MS).unref())]);
  await stopServing?.();
  await stop();
  process.exit(0);
}

/** Runs `script --receiver` and waits for the peer id and addresses it prints. */
export async function startReceiver(script: string): Promise<Receiver> {
  const child = spawn(process.execPath, [script, '--receiver'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await Promise.race([once(lines, 'line'), once(child, 'exit').then(() => { throw new Error('receiver exited before starting'); })])) as [string];
  lines.close();
  return { child, ...(JSON.parse(line) as { id: string; addresses: string[] }) };
}

/** Closes its stdin and waits for it to exit (killed after a grace period). */
export async function stopReceiver(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.stdin?.end();
  const force = setTimeout(() => child.kill('SIGKILL'), EXIT_GRACE_MS);
  await exited;
  clearTimeout(force);
}
