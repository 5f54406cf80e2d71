// Where a plan may send load: the allow-list (or, unset, any target / loopback only), never to link-local or
// metadata addresses unless allow-listed explicitly, never to this peer's own status or p2p port.
import { lookup } from 'node:dns/promises';
import { ipFamily, isLocalHost, isLoopback, normaliseHost, portOf, sensitiveKind, unmapIpv4 } from './addresses.js';
import { isExplicitFor, matchingEntries } from './allow-list.js';
import { settingName, type GuardPolicy, type GuardProblem } from './policy.js';

export const TARGET_NOT_ALLOWED = 'TARGET_NOT_ALLOWED';
export const TARGET_IS_PEER = 'TARGET_IS_PEER';

/** Addresses host names resolved to; a name absent here is checked by name alone. */
export type Resolved = ReadonlyMap<string, readonly string[]>;

const ALLOW = 'security.allowed_targets';

function refuse(path: string, code: string, value: string, message: string, setting = settingName(ALLOW)): GuardProblem {
  return { path, code, setting, value, message };
}

/** The problem with one target URL, or undefined when it may receive load. */
export function checkTargetUrl(raw: string, path: string, policy: GuardPolicy, resolved: Resolved = new Map()): GuardProblem | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse(path, TARGET_NOT_ALLOWED, raw.slice(0, 80), 'not a URL');
  }
  const host = normaliseHost(url.hostname);
  const port = portOf(url);
  const shown = `${url.hostname}:${port}`;
  const addresses = ipFamily(host) ? [host] : isLoopback(host) ? ['127.0.0.1'] : (resolved.get(host) ?? []).map((a) => unmapIpv4(a.toLowerCase()));
  const candidates = [host, ...addresses];

  if (policy.own.ports.includes(port) && candidates.some((a) => isLocalHost(a) || policy.own.hosts.includes(a))) {
    return refuse(path, TARGET_IS_PEER, shown, `${shown} is this peer's own status or p2p port: a plan must not drive the peer that runs it`, `${settingName('orchestrator.port')} / ${settingName('p2p.port')}`);
  }
  const entries = policy.allowList ? matchingEntries(policy.allowList, host, port, addresses) : [];
  const sensitive = candidates.map((a) => ({ a, kind: sensitiveKind(a) })).find((x) => x.kind !== undefined);
  if (sensitive && !entries.some((e) => isExplicitFor(e, sensitive.a))) {
    return refuse(path, TARGET_NOT_ALLOWED, shown, `${shown} is a ${sensitive.kind} address (${sensitive.a}): refused unless ${ALLOW} names it explicitly`);
  }
  if (policy.allowList) {
    if (entries.length > 0) return undefined;
    const why = !ipFamily(host) && addresses.length === 0 ? ' (the name did not resolve, so only name entries can match it)' : '';
    return refuse(path, TARGET_NOT_ALLOWED, shown, `${shown} is not in the target allow-list${why}; add it to ${settingName(ALLOW)}`);
  }
  if (policy.whenUnset === 'loopback' && !(isLoopback(host) || (addresses.length > 0 && addresses.every(isLoopback)))) {
    return refuse(path, TARGET_NOT_ALLOWED, shown, `${shown} is not a loopback address: with no allow-list only loopback targets are allowed here; set ${settingName(ALLOW)}`);
  }
  return undefined;
}

const LOOKUP_TIMEOUT_MS = 2_000;

/** Resolves the host names among `urls` (not IP literals, not localhost); names that fail stay unresolved. */
export async function resolveHosts(urls: readonly string[], resolve = (host: string) => lookup(host, { all: true, verbatim: true })): Promise<Resolved> {
  const names = new Set<string>();
  for (const raw of urls) {
    try {
      const host = normaliseHost(new URL(raw).hostname);
      if (!ipFamily(host) && !isLoopback(host)) names.add(host);
    } catch {
      // not a URL: reported by the check
    }
  }
  const out = new Map<string, string[]>();
  await Promise.all(
    [...names].map(async (name) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), LOOKUP_TIMEOUT_MS)));
      try {
        const found = await Promise.race([resolve(name).catch(() => undefined), timeout]);
        if (found && found.length > 0) out.set(name, found.map((f) => f.address));
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return out;
}
