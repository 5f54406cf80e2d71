// What kind of address a target's host is: loopback, unspecified, link-local, cloud metadata. Built on
// node:net's BlockList so subnet arithmetic (IPv4 and IPv6) is not written by hand here.
import { BlockList, isIP } from 'node:net';

export type IpFamily = 'ipv4' | 'ipv6';

/** A literal IP address as node:net understands it, or undefined for a host name. */
export function ipFamily(address: string): IpFamily | undefined {
  const kind = isIP(address);
  return kind === 4 ? 'ipv4' : kind === 6 ? 'ipv6' : undefined;
}

/** The host of a URL without IPv6 brackets, lower-cased; IPv4-mapped IPv6 addresses become IPv4. */
export function normaliseHost(host: string): string {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase().replace(/\.$/, '');
  return unmapIpv4(bare);
}

/** `::ffff:a9fe:a9fe` and `::ffff:169.254.169.254` → `169.254.169.254`: the same destination. */
export function unmapIpv4(address: string): string {
  if (ipFamily(address) !== 'ipv6') return address;
  const dotted = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (dotted) return dotted[1]!;
  const hex = /^(?:0{0,4}:){0,5}:?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(address);
  if (!hex) return address;
  const hi = parseInt(hex[1]!, 16);
  const lo = parseInt(hex[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

function list(entries: ReadonlyArray<readonly [string, number, IpFamily]>): BlockList {
  const out = new BlockList();
  for (const [net, prefix, family] of entries) out.addSubnet(net, prefix, family);
  return out;
}

const LOOPBACK = list([
  ['127.0.0.0', 8, 'ipv4'],
  ['::1', 128, 'ipv6'],
]);
// 0.0.0.0 and :: reach the local host when connected to.
const UNSPECIFIED = list([
  ['0.0.0.0', 8, 'ipv4'],
  ['::', 128, 'ipv6'],
]);
/** Link-local: 169.254/16 (where most clouds serve metadata) and fe80::/10. */
export const LINK_LOCAL_RANGES = [
  ['169.254.0.0', 16, 'ipv4'],
  ['fe80::', 10, 'ipv6'],
] as const;
/** Cloud metadata services outside link-local: AWS IPv6, Alibaba. */
export const METADATA_RANGES = [
  ['fd00:ec2::254', 128, 'ipv6'],
  ['100.100.100.200', 32, 'ipv4'],
] as const;
const LINK_LOCAL = list(LINK_LOCAL_RANGES);
const METADATA = list(METADATA_RANGES);
/** Names that resolve to a metadata service inside the clouds. */
export const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal']);

function check(blocks: BlockList, address: string): boolean {
  const family = ipFamily(address);
  return family !== undefined && blocks.check(address, family);
}

export function isLoopback(host: string): boolean {
  const h = normaliseHost(host);
  return h === 'localhost' || h.endsWith('.localhost') || check(LOOPBACK, h);
}

/** Connecting to it reaches this host: loopback or unspecified. */
export function isLocalHost(host: string): boolean {
  const h = normaliseHost(host);
  return isLoopback(h) || check(UNSPECIFIED, h);
}

/** Link-local or a cloud metadata address (or name): refused unless allow-listed explicitly. */
export function sensitiveKind(host: string): 'link-local' | 'metadata' | undefined {
  const h = normaliseHost(host);
  if (METADATA_NAMES.has(h) || check(METADATA, h) || h === '169.254.169.254' || h === '169.254.170.2') return 'metadata';
  if (check(LINK_LOCAL, h)) return 'link-local';
  return undefined;
}

/** The port a URL connects to: its own, or its scheme's default. */
export function portOf(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}
