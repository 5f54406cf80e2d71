// The receiving side of a two-process benchmark: the same script run again with `--receiver`, which
// starts a transport, prints `{ id, addresses }` as its first line, and serves until its stdin closes.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

const EXIT_GRACE_MS = 3_000;

export interface Receiver {
  child: ChildProcess;
  id: string;
  addresses: string[];
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
