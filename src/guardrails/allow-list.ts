// The target allow-list: hosts (`api.example.com`, `*.example.com`), `host:port`, IP addresses and CIDRs
// (IPv4 and IPv6, `[::1]:8080` for an IPv6 address with a port).
import { BlockList } from 'node:net';
import type { Problem } from '../errors.js';
import { LINK_LOCAL_RANGES, METADATA_RANGES, ipFamily, normaliseHost, type IpFamily } from './addresses.js';

export type AllowEntry =
  | { text: string; kind: 'name'; name: string; port?: number }
  | { text: string; kind: 'wildcard'; suffix: string; port?: number }
  | { text: string; kind: 'net'; family: IpFamily; net: string; prefix: number; block: BlockList; port?: number };

export interface AllowList {
  entries: AllowEntry[];
}

const NAME = /^(?:\*\.)?(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65_535 ? port : undefined;
}

function netEntry(text: string, address: string, prefix: number | undefined, port: number | undefined): AllowEntry | string {
  const host = normaliseHost(address);
  const family = ipFamily(host);
  if (!family) return `"${address}" is not an IP address`;
  const max = family === 'ipv4' ? 32 : 128;
  const bits = prefix ?? max;
  if (!Number.isInteger(bits) || bits < 0 || bits > max) return `prefix /${prefix} does not fit ${family} (0-${max})`;
  const block = new BlockList();
  block.addSubnet(host, bits, family);
  return { text, kind: 'net', family, net: host, prefix: bits, block, ...(port !== undefined ? { port } : {}) };
}

/** One entry, or the reason it is not one. */
export function parseAllowEntry(raw: string): AllowEntry | string {
  const text = raw.trim();
  if (text === '') return 'empty entry';
  const cidr = /^\[?([0-9a-fA-F:.]+)\]?\/(\d{1,3})$/.exec(text);
  if (cidr) return netEntry(text, cidr[1]!, Number(cidr[2]), undefined);
  if (ipFamily(text)) return netEntry(text, text, undefined, undefined); // bare IPv6 has colons but no port
  const bracketed = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) {
    const port = bracketed[2] === undefined ? undefined : parsePort(bracketed[2]);
    if (bracketed[2] !== undefined && port === undefined) return `port "${bracketed[2]}" is not 1-65535`;
    return netEntry(text, bracketed[1]!, undefined, port);
  }
  const hostPort = /^([^:/\s]+)(?::([^:]*))?$/.exec(text);
  if (!hostPort) return 'expected a host, host:port, an IP address or a CIDR';
  const port = hostPort[2] === undefined ? undefined : parsePort(hostPort[2]);
  if (hostPort[2] !== undefined && port === undefined) return `port "${hostPort[2]}" is not 1-65535`;
  const host = hostPort[1]!.toLowerCase().replace(/\.$/, '');
  if (ipFamily(host)) return netEntry(text, host, undefined, port);
  if (!NAME.test(host)) return `"${host}" is not a host name`;
  const withPort = port !== undefined ? { port } : {};
  return host.startsWith('*.') ? { text, kind: 'wildcard', suffix: host.slice(1), ...withPort } : { text, kind: 'name', name: host, ...withPort };
}

/** Parses the configured list; `setting` names it in problems. */
export function parseAllowList(entries: readonly string[], setting: string): { list: AllowList; problems: Problem[] } {
  const problems: Problem[] = [];
  const parsed: AllowEntry[] = [];
  entries.forEach((raw, i) => {
    const entry = parseAllowEntry(raw);
    if (typeof entry === 'string') problems.push({ path: `${setting}[${i}]`, message: `${JSON.stringify(raw.slice(0, 80))}: ${entry}` });
    else parsed.push(entry);
  });
  return { list: { entries: parsed }, problems };
}

function portMatches(entry: AllowEntry, port: number): boolean {
  return entry.port === undefined || entry.port === port;
}

/** Entries that let `host:port` through; `addresses` are what a host name resolved to. */
export function matchingEntries(list: AllowList, host: string, port: number, addresses: readonly string[] = []): AllowEntry[] {
  const h = normaliseHost(host);
  const literal = ipFamily(h);
  return list.entries.filter((entry) => {
    if (!portMatches(entry, port)) return false;
    switch (entry.kind) {
      case 'name':
        return !literal && entry.name === h;
      case 'wildcard':
        return !literal && h.endsWith(entry.suffix);
      case 'net': {
        // A name is let through by address only when every address it resolved to is inside.
        const candidates = literal ? [h] : addresses.map(normaliseHost);
        return candidates.length > 0 && candidates.every((a) => ipFamily(a) === entry.family && entry.block.check(a, entry.family));
      }
    }
  });
}

/** An entry that names a link-local or metadata destination on purpose: a net inside such a range, or the name itself. */
export function isExplicitFor(entry: AllowEntry, host: string): boolean {
  const h = normaliseHost(host);
  if (entry.kind === 'name') return entry.name === h;
  if (entry.kind === 'wildcard') return false;
  return [...LINK_LOCAL_RANGES, ...METADATA_RANGES].some(([net, prefix, family]) => {
    if (family !== entry.family || entry.prefix < prefix) return false;
    const range = new BlockList();
    range.addSubnet(net, prefix, family);
    return range.check(entry.net, family);
  });
}
