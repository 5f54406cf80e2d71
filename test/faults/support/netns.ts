// The fault suite's network: a switch namespace holding a bridge, one namespace per peer and one for the
// counting target, each joined to the bridge by a veth pair (10.77.0.0/24, only inside these
// namespaces). Faults act on it: partitions and loss with nft inside a peer's namespace (peer-to-peer
// traffic only, so that the target's count measures the generators, not the network), slow or delayed
// control-plane links with tc (htb + u32, netem where the kernel has it). Everything is removed by close().
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export const SUBNET = '10.77.0';
export const TARGET_IP = `${SUBNET}.100`;
export const peerIp = (i: number) => `${SUBNET}.${i + 1}`;

function sh(args: string[]): string {
  return execFileSync(args[0]!, args.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Why this machine cannot run the suite, or undefined when it can. */
export function netnsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'network namespaces need root (ip netns add)';
  for (const cmd of ['ip', 'tc', 'nft']) if (!hasCommand(cmd)) return `the \`${cmd}\` command is not installed (apt-get install iproute2 nftables)`;
  const probe = `mcf-probe-${randomBytes(3).toString('hex')}`;
  try {
    sh(['ip', 'netns', 'add', probe]);
    sh(['ip', '-n', probe, 'link', 'add', 'br0', 'type', 'bridge']);
    sh(['ip', 'netns', 'exec', probe, 'nft', 'add', 'table', 'inet', 'probe']);
  } catch (error) {
    return `cannot build a namespace with a bridge and nft here: ${String((error as { stderr?: string }).stderr ?? error).trim()}`;
  } finally {
    try {
      sh(['ip', 'netns', 'del', probe]);
    } catch {
      // never made
    }
  }
  return undefined;
}

export class Network {
  readonly tag = randomBytes(2).toString('hex');
  readonly switchNs = `mcf-${this.tag}-sw`;
  readonly targetNs = `mcf-${this.tag}-t`;
  readonly peerNs: string[] = [];
  readonly #namespaces: string[] = [];
  readonly hasNetem: boolean;
  #shaped = new Set<number>();

  constructor(readonly size: number) {
    const cleanup = () => this.close();
    process.once('exit', cleanup);
    try {
      this.#add(this.switchNs);
      sh(['ip', '-n', this.switchNs, 'link', 'add', 'br0', 'type', 'bridge']);
      sh(['ip', '-n', this.switchNs, 'link', 'set', 'br0', 'up']);
      for (let i = 0; i < size; i++) {
        const ns = `mcf-${this.tag}-p${i}`;
        this.peerNs.push(ns);
        this.#join(ns, `p${i}`, peerIp(i));
      }
      this.#join(this.targetNs, 't', TARGET_IP);
    } catch (error) {
      this.close();
      throw error;
    }
    this.hasNetem = this.#probeNetem();
  }

  #add(ns: string): void {
    sh(['ip', 'netns', 'add', ns]);
    this.#namespaces.push(ns);
    sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
  }

  /** A namespace on the bridge: `eth0` inside, `s<name>` on the switch. */
  #join(ns: string, name: string, ip: string): void {
    this.#add(ns);
    const inner = `m${this.tag}${name}`;
    sh(['ip', 'link', 'add', inner, 'netns', ns, 'type', 'veth', 'peer', 'name', `s${name}`, 'netns', this.switchNs]);
    sh(['ip', '-n', ns, 'link', 'set', inner, 'name', 'eth0']);
    sh(['ip', '-n', this.switchNs, 'link', 'set', `s${name}`, 'master', 'br0']);
    sh(['ip', '-n', this.switchNs, 'link', 'set', `s${name}`, 'up']);
    sh(['ip', '-n', ns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
    sh(['ip', '-n', ns, 'link', 'set', 'eth0', 'up']);
  }

  #probeNetem(): boolean {
    try {
      sh(['ip', 'netns', 'exec', this.targetNs, 'tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms']);
      sh(['ip', 'netns', 'exec', this.targetNs, 'tc', 'qdisc', 'del', 'dev', 'lo', 'root']);
      return true;
    } catch {
      return false;
    }
  }

  #nft(i: number, ...args: string[]): void {
    sh(['ip', 'netns', 'exec', this.peerNs[i]!, 'nft', ...args]);
  }

  #ensureTable(i: number): void {
    this.#nft(i, 'add', 'table', 'inet', 'faults');
    this.#nft(i, 'add', 'chain', 'inet', 'faults', 'in', '{ type filter hook input priority 0; }');
    this.#nft(i, 'add', 'chain', 'inet', 'faults', 'out', '{ type filter hook output priority 0; }');
  }

  /** Peer `i` drops everything to and from the peers in `others`. */
  cut(i: number, others: number[]): void {
    if (others.length === 0) return;
    this.#ensureTable(i);
    const set = `{ ${others.map(peerIp).join(', ')} }`;
    this.#nft(i, 'add', 'rule', 'inet', 'faults', 'out', 'ip', 'daddr', set, 'drop');
    this.#nft(i, 'add', 'rule', 'inet', 'faults', 'in', 'ip', 'saddr', set, 'drop');
  }

  /** Peer `i` loses `percent` % of its packets to and from the other peers. */
  lose(i: number, percent: number): void {
    this.#ensureTable(i);
    const set = `{ ${this.#others(i).map(peerIp).join(', ')} }`;
    this.#nft(i, 'add', 'rule', 'inet', 'faults', 'out', 'ip', 'daddr', set, 'numgen', 'random', 'mod', '100', '<', String(percent), 'drop');
    this.#nft(i, 'add', 'rule', 'inet', 'faults', 'in', 'ip', 'saddr', set, 'numgen', 'random', 'mod', '100', '<', String(percent), 'drop');
  }

  /**
   * Peer `i`'s packets to the other peers wait `delayMs` (netem) or, without netem, go through a link of
   * `kbit` kbit/s whose queue delays them; its traffic to the target is not touched.
   */
  slow(i: number, delayMs: number, kbit: number): string {
    const ns = this.peerNs[i]!;
    const tc = (...args: string[]) => sh(['ip', 'netns', 'exec', ns, 'tc', ...args]);
    tc('qdisc', 'add', 'dev', 'eth0', 'root', 'handle', '1:', 'htb', 'default', '1');
    tc('class', 'add', 'dev', 'eth0', 'parent', '1:', 'classid', '1:1', 'htb', 'rate', '10gbit');
    tc('class', 'add', 'dev', 'eth0', 'parent', '1:', 'classid', '1:2', 'htb', 'rate', this.hasNetem ? '10gbit' : `${kbit}kbit`, 'ceil', this.hasNetem ? '10gbit' : `${kbit}kbit`);
    if (this.hasNetem) tc('qdisc', 'add', 'dev', 'eth0', 'parent', '1:2', 'handle', '20:', 'netem', 'delay', `${delayMs}ms`);
    for (const j of this.#others(i)) tc('filter', 'add', 'dev', 'eth0', 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32', 'match', 'ip', 'dst', `${peerIp(j)}/32`, 'flowid', '1:2');
    this.#shaped.add(i);
    return this.hasNetem ? `netem delay ${delayMs} ms` : `htb ${kbit} kbit/s`;
  }

  /** Removes every fault of peer `i`. */
  heal(i: number): void {
    try {
      this.#nft(i, 'delete', 'table', 'inet', 'faults');
    } catch {
      // none
    }
    if (this.#shaped.delete(i)) {
      try {
        sh(['ip', 'netns', 'exec', this.peerNs[i]!, 'tc', 'qdisc', 'del', 'dev', 'eth0', 'root']);
      } catch {
        // none
      }
    }
  }

  healAll(): void {
    for (let i = 0; i < this.size; i++) this.heal(i);
  }

  #others(i: number): number[] {
    return [...Array(this.size).keys()].filter((j) => j !== i);
  }

  /** Deletes every namespace made (their links go with them). Safe to call twice. */
  close(): void {
    for (const ns of this.#namespaces.splice(0).reverse()) {
      try {
        sh(['ip', 'netns', 'del', ns]);
      } catch {
        // already gone
      }
    }
  }
}
