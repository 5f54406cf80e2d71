// Fuzzing live peers with fast-check: random REST bodies and random wire frames (valid envelopes with random
// payloads, and random bytes), from a non-member and from a member. 0 crashes, 0 unhandled rejections,
// every answer a coded error (or, for a member's valid request, an answer), no load sent by a frame, and
// memory back under its start figure plus 50 MB. FUZZ_RUNS sets the runs of each property (npm run
// test:fuzz: 10,000); `npm test` runs a short version.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, getJson, startPeerProcess, waitFor, type PeerProcess } from '../../scripts/lib/peer-process.js';
import { encodeFrame } from '../../src/protocol/frame.js';
import { PEER_PROTOCOL } from '../../src/protocol/peer-protocol.js';
import { ELECTION_PROTOCOL } from '../../src/protocol/election.js';
import { HELLO_PROTOCOL } from '../../src/protocol/membership.js';
import { TOPICS } from '../../src/protocol/topics.js';
import { HUB_PROTOCOL } from '../../actors/messaging-hub/messages.js';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';
import { connected, startOutsider, type Outsider } from '../support/outsider.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 250);
const SLACK_BYTES = 50 * 1024 * 1024;
const TIMEOUT_MS = Math.max(60_000, RUNS * 30);

let dir: string;
let peers: PeerProcess[] = [];
let restTarget: CountingTarget;
let wireTarget: CountingTarget;
let stranger: Outsider;
let member: Outsider;

function rssOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(/(\d+)/.exec(line)![1]) * 1024;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcpdt-fuzz-'));
  restTarget = await startCountingTarget();
  wireTarget = await startCountingTarget();
  const env = {
    MCP_ALLOWED_TARGETS: `127.0.0.1:${restTarget.port},127.0.0.1:${wireTarget.port}`,
    MCP_LIMITS_MAX_RPS: '20',
    MCP_LIMITS_MAX_DURATION: '1',
    MCP_LIMITS_MAX_TOTAL_REQUESTS: '20',
    MCP_ORCHESTRATOR_MAX_CONCURRENT_EXECUTIONS: '2',
  };
  const ports = [await freePort(), await freePort()];
  peers = await Promise.all(
    ports.map((port, i) => startPeerProcess({ dataDir: join(dir, `p${i}`), p2pPort: port, bootstrap: ports.filter((p) => p !== port).map((p) => `127.0.0.1:${p}`), logLevel: 'error', env })),
  );
  await waitFor(async () => {
    const all = await Promise.all(peers.map((p) => getJson<{ coordinator: string | null; members: number }>(`${p.httpUrl}/api/health`)));
    return all.every((h) => h.coordinator && h.members === 2);
  }, 20_000, 'a coordinator');
  const addresses = peers.map((p) => p.addresses[0]!);
  [stranger, member] = await Promise.all([startOutsider(addresses), startOutsider(addresses)]);
  await Promise.all(peers.flatMap((p) => [connected(stranger, p.id), connected(member, p.id)]));
  // The member says hello the way a joining peer does, and keeps its heartbeats going.
  const info = { node_id: member.transport.self, http_url: 'http://127.0.0.1:1', addresses: member.transport.addresses(), roles: [], capabilities: [], location: 'fuzz', version: '0', started_at: Date.now() };
  for (const p of peers) await member.raw(p.id, HELLO_PROTOCOL, encodeFrame({ type: 'member.hello', member: info }));
  let seq = 0;
  const beat = setInterval(() => void member.transport.publish(TOPICS.membership.name, encodeFrame({ type: 'member.heartbeat', member: info, seq: seq++ })).catch(() => undefined), 500);
  beat.unref();
  await waitFor(async () => (await getJson<{ nodes: { node_id: string }[] }>(`${peers[0]!.httpUrl}/api/nodes`)).nodes.some((n) => n.node_id === member.transport.self), 10_000, 'the member to join');
}, 60_000);

afterAll(async () => {
  await agent.close();
  await stranger?.close();
  await member?.close();
  await Promise.all(peers.map((p) => p.kill('SIGKILL')));
  await restTarget.close();
  await wireTarget.close();
  await rm(dir, { recursive: true, force: true });
});

/** Plans that are sometimes valid, mostly not: the shapes a user (or an attacker) might post. */
function planArbitrary(url: string) {
  const anyValue = fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.string({ maxLength: 30 }), fc.double(), fc.integer());
  const target = fc.record(
    {
      url: fc.oneof(fc.constant(url), fc.constant('http://169.254.169.254/'), fc.webUrl(), fc.string({ maxLength: 20 })),
      method: fc.oneof(fc.constantFrom('GET', 'POST', 'get', 'TRACE'), anyValue),
      headers: fc.oneof(fc.dictionary(fc.string({ maxLength: 12 }), fc.oneof(fc.string({ maxLength: 20 }), fc.record({ value: fc.string(), secret: fc.boolean() }))), anyValue),
      body: anyValue,
      timeout: fc.oneof(fc.constantFrom('1s', '500ms', 0, -1), anyValue),
    },
    { requiredKeys: ['url'] },
  );
  const parameters = fc.record(
    {
      targets: fc.oneof(fc.array(target, { maxLength: 4 }), anyValue),
      duration: fc.oneof(fc.constantFrom(0.2, 0.5, 1, '1s', 1e9), anyValue),
      base_rps: fc.oneof(fc.constantFrom(1, 5, 20, 1e7, -1), anyValue),
      peak_rps: fc.oneof(fc.constantFrom(10, 1e9), anyValue),
      pattern: fc.oneof(fc.constantFrom('constant', 'spike', 'stages', 'nope'), anyValue),
      concurrent_users: fc.oneof(fc.constantFrom(1, 1e9), anyValue),
      thresholds: fc.oneof(fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }), anyValue),
    },
    { requiredKeys: [] },
  );
  return fc.record(
    { name: fc.oneof(fc.string({ maxLength: 10 }), anyValue), tasks: fc.oneof(fc.array(fc.record({ type: fc.oneof(fc.constant('load_test'), anyValue), parameters }), { maxLength: 3 }), anyValue) },
    { requiredKeys: [] },
  );
}

// Idle sockets dropped well before the peer's 5 s keep-alive: a reused socket the server is closing
// would fail a POST (which is never retried) for reasons that have nothing to do with the body.
const agent = new Agent({ keepAliveTimeout: 1_000 });

interface Answer {
  status: number;
  json: { error?: { code?: unknown; message?: unknown }; execution_id?: unknown; task_id?: unknown } | undefined;
}

async function post(peer: PeerProcess, path: string, body: string): Promise<Answer> {
  let response: Awaited<ReturnType<typeof undiciFetch>>;
  try {
    response = await undiciFetch(`${peer.httpUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, dispatcher: agent });
  } catch (error) {
    throw new Error(`no answer (${String((error as Error).cause ?? error)}); the peer wrote: ${peer.stderr().slice(-2000)}`);
  }
  const text = await response.text();
  let json: Answer['json'];
  try {
    json = JSON.parse(text) as Answer['json'];
  } catch {
    json = undefined;
  }
  return { status: response.status, json };
}

function expectCoded(answer: Answer, what: string): void {
  if (answer.status === 201) {
    expect(answer.json?.execution_id ?? answer.json?.task_id, what).toBeTypeOf('string');
    return;
  }
  expect(answer.status, what).toBeGreaterThanOrEqual(400);
  expect(answer.status, `${what}: ${JSON.stringify(answer.json)}`).not.toBe(500);
  expect(answer.json?.error?.code, what).toBeTypeOf('string');
  expect(answer.json?.error?.message, what).toBeTypeOf('string');
}

function healthyAndLean(startRss: number[]): Promise<unknown> {
  for (const p of peers) expect(p.child.exitCode, 'a peer crashed').toBeNull();
  for (const p of peers) expect(p.stderr()).not.toMatch(/unhandled rejection|uncaught/i);
  const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
  return waitFor(async () => {
    const ok = await Promise.all(peers.map((p) => fetch(`${p.httpUrl}/api/health`).then((r) => r.status === 200)));
    const rss = peers.map((p) => rssOf(p.child.pid!));
    if (!ok.every(Boolean) || !rss.every((r, i) => r < startRss[i]! + SLACK_BYTES)) return undefined;
    console.info(`fuzz (${RUNS} runs): peer RSS before ${startRss.map(mb).join(', ')} MB, after ${rss.map(mb).join(', ')} MB`);
    return true;
  }, 30_000, 'peers answering, memory back under start + 50 MB', 500);
}

describe(`fuzzing live peers (${RUNS} runs each)`, () => {
  it('random REST bodies: every answer is a coded error or an accepted run', async () => {
    const startRss = peers.map((p) => rssOf(p.child.pid!));
    const body = fc.oneof(
      planArbitrary(restTarget.url).map((v) => JSON.stringify(v)),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 200 }),
      fc.constantFrom('', '{', '[]', 'null', '{"name":"x","tasks":' + '['.repeat(5000) + ']'.repeat(5000) + '}'),
    );
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom('/api/executions', '/load/start'), fc.nat(1), async (text, path, i) => {
        expectCoded(await post(peers[i]!, path, text), `${path} ${text.slice(0, 200)}`);
      }),
      { numRuns: RUNS },
    );
    await healthyAndLean(startRss);
  }, TIMEOUT_MS);

  it('random wire frames: a stranger gets only coded errors; a member gets coded errors or answers; no frame sends load', async () => {
    const startRss = peers.map((p) => rssOf(p.child.pid!));
    const kinds = [...Object.values(PEER_PROTOCOL).map((k) => k.wire), 'no.such.kind/1'];
    const payload = fc.oneof(
      fc.jsonValue({ maxDepth: 5 }),
      fc.record({
        execution_id: fc.string({ maxLength: 10 }),
        term: fc.oneof(fc.nat(), fc.constant(1e15), fc.double()),
        plan: fc.oneof(planArbitrary(wireTarget.url), fc.jsonValue({ maxDepth: 3 })),
        segment: fc.record({ from: fc.double(), to: fc.double() }),
        start_at: fc.integer(),
        doc: fc.jsonValue({ maxDepth: 3 }),
      }, { requiredKeys: [] }),
    );
    const hubFrame = fc.record({ kind: fc.constantFrom(...kinds), mode: fc.constantFrom('fire-and-forget', 'at-least-once', 'exactly-once', 'reliable', 'bogus'), payload, attempt: fc.oneof(fc.constant(1), fc.integer()) });
    const electionFrame = fc.record({
      type: fc.constantFrom('prevote.request', 'prevote.reply', 'vote.request', 'vote.reply', 'coordinator.heartbeat', 'coordinator.ack', 'election.none', 'x'),
      term: fc.oneof(fc.nat(), fc.constant(1e15)),
      candidate: fc.string({ maxLength: 60 }),
      coordinator: fc.string({ maxLength: 60 }),
      sentAt: fc.integer(),
    });
    const frame = fc.oneof(
      hubFrame.map((f) => ({ protocol: HUB_PROTOCOL, bytes: encodeFrame({ type: 'hub.message', id: `f${Math.random()}`, ...f }) })),
      electionFrame.map((f) => ({ protocol: ELECTION_PROTOCOL, bytes: encodeFrame(f) })),
      fc.tuple(fc.constantFrom(HUB_PROTOCOL, ELECTION_PROTOCOL, HELLO_PROTOCOL), fc.uint8Array({ maxLength: 512 })).map(([protocol, bytes]) => ({ protocol, bytes })),
    );
    await fc.assert(
      fc.asyncProperty(frame, fc.boolean(), fc.nat(1), async ({ protocol, bytes }, asMember, i) => {
        const peer = peers[i]!;
        const { reply, transportError } = await (asMember ? member : stranger).raw(peer.id, protocol, bytes);
        const what = `${asMember ? 'member' : 'stranger'} ${protocol} ${new TextDecoder().decode(bytes).slice(0, 200)}`;
        expect(transportError, what).toBeUndefined();
        expect(reply, what).toBeDefined();
        if (reply!.type === 'error') {
          expect(reply!.code, what).toBeTypeOf('string');
          expect(reply!.code, `${what}: ${String(reply!.message)}`).not.toBe('INTERNAL');
          return;
        }
        // Only a member's well-formed request may be answered; a stranger reaches nothing but the hello.
        expect(asMember || protocol === HELLO_PROTOCOL, `${what}: ${JSON.stringify(reply)}`).toBe(true);
      }),
      { numRuns: RUNS },
    );
    await healthyAndLean(startRss);
    expect(wireTarget.count()).toBe(0);
  }, TIMEOUT_MS);
});
