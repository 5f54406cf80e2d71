// `node peer.js <args>` as a real child process, for the command-line tests: its exit code and output,
// killed after `timeoutMs` so that a hung run fails its test instead of the suite. mDNS is always off
// (it would multicast off this machine).
import { spawn } from 'node:child_process';
import { PEER_JS } from '../../scripts/lib/peer-process.js';

export interface PeerRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runPeer(args: string[], options: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<PeerRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [PEER_JS, ...args], { env: { ...process.env, ...options.env, MCP_DISCOVERY_MDNS: 'false' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
