// The control plane at 10, 100 and 1,000 peers, at rest, per peer: messages and bytes per second.
//  - election and lease: the real reducer (actors/coordinator/election.ts) for every peer on a fake clock,
//    every effect counted with its real encoded frame;
//  - membership heartbeats: the real discovery actor of every peer on the in-memory transport with a
//    fake clock, every publish counted with its frame and its receivers;
//  - health samples, capacity announcements and anti-entropy digests: their real frames (checked by their
//    schemas) times their configured rates (they do not depend on other peers' replies at rest).
// The in-memory transport delivers a publish to every connected peer (what gossipsub's flood publishing
// does for a peer's own messages); gossipsub also forwards each message to its mesh peers (D = 3, see
// src/transport/libp2p/node.ts), so the
// "with mesh forwarding" column multiplies the gossip a peer receives and sends by (1 + D). Bytes are
// frame payloads: libp2p adds noise (16 B), yamux (12 B) and, per request, a stream's negotiation.
//   node dist/scripts/bench/scale.js [--sizes 10,100,1000] [--seconds 60]
// (--seconds: a multiple of every period counted, the 10 s of a membership heartbeat at rest among them,
// or the count is off by the heartbeats that fall outside the window)
import '../../src/polyfill.js';
import { parseArgs } from 'node:util';
import { DEFAULT_ELECTION_TIMING, initialState, inOffice, step, type ElectionMessage, type ElectionState } from '../../actors/coordinator/election.js';
import { mulberry32 } from '../../src/schedule/patterns.js';
import { discovery } from '../../actors/discovery/discovery.js';
import { REST_HEARTBEAT_FACTOR, timingFor } from '../../actors/discovery/membership.js';
import { ActorSystem } from '../../src/actor/system.js';
import { encodeFrame } from '../../src/protocol/frame.js';
import { HealthFrame } from '../../src/protocol/health.js';
import { CapacityFrame } from '../../src/protocol/resources.js';
import { DigestRequest } from '../../src/protocol/peer-protocol.js';
import { MemoryNetwork, type MemoryTransport } from '../../src/transport/memory.js';
import { FakeClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/log.js';
import { MESH } from '../../src/transport/libp2p/node.js';
import { DEFAULT_REPLICATION_TIMING } from '../../actors/coordinator/replication/replicator.js';
import { healthGossipTiming } from '../../actors/node-monitor/publish.js';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '10,100,1000' }, seconds: { type: 'string', default: '60' }, 'actors-up-to': { type: 'string', default: '100' } } });
/** Above this many peers the discovery actors are not run (a million deliveries per simulated second): their heartbeat frame, measured at the largest size run, times (n - 1) per interval. */
const ACTORS_UP_TO = Number(values['actors-up-to']);
const SIZES = values.sizes.split(',').map(Number);
const SECONDS = Number(values.seconds);
const MESH_D = MESH.D;
const HEARTBEAT_S = 1; // communication.heartbeat_interval
// At rest a health sample is gossiped only at its refresh (an unchanged one is no news: node-monitor/publish.ts).
const HEALTH_S = healthGossipTiming(5_000).refreshMs / 1_000; // health_monitoring.check_interval 5 s
const CAPACITY_S = 30; // resource_management.monitoring_interval
const DIGEST_S = DEFAULT_REPLICATION_TIMING.restRoundMs / 1_000; // at rest, rounds slow down to restRoundMs: one exchange with one peer per round

interface Rate {
  msgs: number;
  bytes: number;
}
const rate = (msgs: number, bytes: number): Rate => ({ msgs, bytes });
const peerId = (i: number) => `12D3KooW${String(i).padStart(44, 'x')}`;

/** The election of `n` peers: settle, then count every message for `seconds`. Per peer: sent by the coordinator, and by a follower. */
function election(n: number, seconds: number): { coordinator: Rate; follower: Rate; elected: boolean } {
  const ids = Array.from({ length: n }, (_, i) => peerId(i));
  const random = mulberry32(42);
  const timing = DEFAULT_ELECTION_TIMING;
  const states: ElectionState[] = ids.map((id) => initialState(id, { term: 0, votedFor: null }, ids, 0, timing, random));
  const index = new Map(ids.map((id, i) => [id, i]));
  let queue: { at: number; from: string; to: number; message: ElectionMessage }[] = [];
  const sent = ids.map(() => ({ msgs: 0, bytes: 0 }));
  const sizeOf = new Map<string, number>();
  let now = 0;
  let counting = false;
  const apply = (i: number, event: Parameters<typeof step>[1]) => {
    const { state, effects } = step(states[i]!, event, timing, random);
    states[i] = state;
    for (const e of effects) {
      if (e.type !== 'send') continue;
      if (counting) {
        let size = sizeOf.get(e.message.type);
        if (size === undefined) sizeOf.set(e.message.type, (size = encodeFrame(e.message).length));
        sent[i]!.msgs++;
        sent[i]!.bytes += size;
      }
      queue.push({ at: now + 1, from: state.self, to: index.get(e.to)!, message: e.message });
    }
  };
  const settleMs = 5_000;
  for (now = 0; now < settleMs + seconds * 1_000; now += 10) {
    if (!counting && now >= settleMs) counting = true;
    const due = queue.filter((m) => m.at <= now);
    queue = queue.filter((m) => m.at > now);
    for (const m of due) apply(m.to, { type: 'receive', now, from: m.from, message: m.message });
    for (let i = 0; i < n; i++) apply(i, { type: 'tick', now });
  }
  const office = states.findIndex((s) => inOffice(s, now));
  const followers = sent.filter((_, i) => i !== office);
  const avg = (xs: Rate[]) => rate(xs.reduce((a, x) => a + x.msgs, 0) / xs.length / seconds, xs.reduce((a, x) => a + x.bytes, 0) / xs.length / seconds);
  return { coordinator: office >= 0 ? rate(sent[office]!.msgs / seconds, sent[office]!.bytes / seconds) : rate(0, 0), follower: avg(followers), elected: office >= 0 };
}

/** Membership heartbeats of `n` real discovery actors on the in-memory transport, fake clock. Per peer: sent and received. */
async function membership(n: number, seconds: number): Promise<{ sent: Rate; received: Rate }> {
  const clock = new FakeClock(0);
  const network = new MemoryNetwork();
  const system = new ActorSystem({ clock, log: silentLogger });
  const counts = { msgs: 0, bytes: 0 };
  let counting = false;
  const transports: MemoryTransport[] = [];
  for (let i = 0; i < n; i++) {
    const transport = network.createTransport(peerId(i));
    const publish = transport.publish.bind(transport);
    // Counted where it leaves: one copy per connected peer, as the in-memory transport (and flood publishing) sends.
    transport.publish = async (topic, data) => {
      if (counting) {
        const receivers = n - 1;
        counts.msgs += receivers;
        counts.bytes += receivers * data.length;
      }
      return publish(topic, data);
    };
    transports.push(transport);
    await system.spawn(
      discovery({
        transport,
        self: { node_id: peerId(i), http_url: `http://127.0.0.1:${20_000 + i}`, addresses: [`/ip4/127.0.0.1/tcp/${30_000 + i}/p2p/${peerId(i)}`], roles: ['coordinator', 'load-generator'], capabilities: ['http_load'], location: 'local', version: '0.1.0', started_at: 1_700_000_000_000 },
        heartbeatMs: HEARTBEAT_S * 1_000,
        restHeartbeatMs: REST_HEARTBEAT_FACTOR * HEARTBEAT_S * 1_000, // at rest, as a peer (src/peer.ts)
        timing: timingFor(HEARTBEAT_S * 1_000, { disconnectGraceMs: 500 }),
        onChange: () => undefined,
      }),
    );
  }
  network.connectAll();
  const settle = async () => {
    for (let k = 0; k < 3; k++) await new Promise((r) => setImmediate(r));
  };
  const advance = async (ms: number) => {
    for (let t = 0; t < ms; t += 100) {
      clock.advance(100);
      await settle();
    }
  };
  await advance(2_000);
  counting = true;
  await advance(seconds * 1_000);
  counting = false;
  await system.stop();
  await Promise.all(transports.map((t) => t.stop()));
  // Full mesh: what a peer sends, on average, another receives.
  const per = rate(counts.msgs / n / seconds, counts.bytes / n / seconds);
  return { sent: per, received: per };
}

/** Real frames of the other gossip and of a digest round, checked by their schemas. */
function frameSizes(n: number): { health: number; capacity: number; digest: number } {
  const sample = HealthFrame.parse({
    type: 'health.sample',
    sample: {
      node_id: peerId(1), at: 1_764_650_000_000, seq: 1234, cpu_percent: 12.5, cpu_cores: 8, memory_percent: 41.2, memory_used_bytes: 6_912_345_678, memory_total_bytes: 16_777_216_000,
      disk_percent: 26.8, disk_used_bytes: 29_151_764_480, disk_total_bytes: 270_553_174_016, network_rx_bytes_per_s: 1234.5, network_tx_bytes_per_s: 2345.6, load_average: [0.52, 0.61, 0.7],
      process: { at: 1_764_650_000_000, cpu_percent: 1.2, event_loop_utilization: 0.012, event_loop_delay_p99_ms: 1.2, event_loop_delay_max_ms: 3.4, active_runs: 0 },
      checks: [], score: 92.5, state: 'healthy', active_alerts: [],
    },
  });
  const capacity = CapacityFrame.parse({ type: 'resources.capacity', node_id: peerId(1), capacity: { cpu: 8, memory_mb: 16_000, load_slots: 10 } });
  // At rest the digest names the newest executions (up to 32), finished: one entry each with its runs' ranges.
  const entries = Array.from({ length: 32 }, (_, e) => ({
    execution_id: `0b7f${String(e).padStart(4, '0')}-1c2d-4e5f-8a9b-0c1d2e3f4a5b`,
    term: 7,
    version: 12,
    runs: Array.from({ length: Math.min(n, 10) }, (_, r) => ({ run_id: `0b7f${String(e).padStart(4, '0')}-1c2d-4e5f-8a9b-0c1d2e3f4a5b:0:${peerId(r)}`, ranges: [[1, 61]] as [number, number][] })),
  }));
  const digest = DigestRequest.parse({ since: 1_764_600_000_000, entries });
  return {
    health: encodeFrame(sample).length,
    capacity: encodeFrame(capacity).length,
    digest: encodeFrame({ type: 'replication.digest', ...digest }).length + encodeFrame({ type: 'replication.digest.reply', docs: [], deltas: [], more: false }).length,
  };
}

let lastMembership: { n: number; per: Rate } | undefined;
function extrapolated(n: number, from: { n: number; per: Rate }): { sent: Rate; received: Rate } {
  const frame = from.per.bytes / from.per.msgs;
  const per = rate((n - 1) / (REST_HEARTBEAT_FACTOR * HEARTBEAT_S), ((n - 1) / (REST_HEARTBEAT_FACTOR * HEARTBEAT_S)) * frame);
  return { sent: per, received: per };
}

const fmt = (r: Rate) => `${r.msgs.toFixed(1).padStart(9)} msg/s ${(r.bytes / 1024).toFixed(1).padStart(9)} KiB/s`;

console.log(`control plane at rest, per peer (election and membership simulated ${SECONDS} s on a fake clock; other gossip from real frames x configured rates)`);
for (const n of SIZES) {
  const t0 = performance.now();
  const e = election(n, SECONDS);
  const simulated = n <= ACTORS_UP_TO;
  const m = simulated ? await membership(n, SECONDS) : extrapolated(n, lastMembership!);
  if (simulated) lastMembership = { n, per: m.sent };
  const f = frameSizes(n);
  const others = n - 1;
  // Per peer, sent + received (a publish to everyone: each peer receives every other peer's).
  const gossipIn = rate(others / HEALTH_S + others / CAPACITY_S, (others * f.health) / HEALTH_S + (others * f.capacity) / CAPACITY_S);
  const gossipOut = rate(others / HEALTH_S + others / CAPACITY_S, (others * f.health) / HEALTH_S + (others * f.capacity) / CAPACITY_S);
  const digest = rate((2 * 2) / DIGEST_S, (2 * f.digest) / DIGEST_S); // asks one peer and is asked by one, on average: request + reply each
  const floodFollower = rate(e.follower.msgs * 2 + m.sent.msgs + m.received.msgs + gossipIn.msgs + gossipOut.msgs + digest.msgs, e.follower.bytes * 2 + m.sent.bytes + m.received.bytes + gossipIn.bytes + gossipOut.bytes + digest.bytes);
  const meshGossip = (r: Rate) => rate(r.msgs * (1 + MESH_D), r.bytes * (1 + MESH_D));
  const meshFollower = rate(
    e.follower.msgs * 2 + meshGossip(m.received).msgs * 2 + meshGossip(gossipIn).msgs * 2 + digest.msgs,
    e.follower.bytes * 2 + meshGossip(m.received).bytes * 2 + meshGossip(gossipIn).bytes * 2 + digest.bytes,
  );
  const coordinatorTotal = rate(floodFollower.msgs - e.follower.msgs * 2 + e.coordinator.msgs * 2, floodFollower.bytes - e.follower.bytes * 2 + e.coordinator.bytes * 2);
  console.log(`\n${n} peers (simulated in ${((performance.now() - t0) / 1000).toFixed(1)} s; a coordinator elected: ${e.elected})`);
  console.log(`  election, coordinator sends      ${fmt(e.coordinator)}   (acks come back: as many in)`);
  console.log(`  election, a follower sends       ${fmt(e.follower)}`);
  console.log(`  membership heartbeats, sent      ${fmt(m.sent)}   (received: the same${simulated ? '' : `; from the frame measured with ${lastMembership!.n} actors`})`);
  console.log(`  health + capacity gossip, in     ${fmt(gossipIn)}   (frames ${f.health} B and ${f.capacity} B)`);
  console.log(`  anti-entropy digests             ${fmt(digest)}   (a round's request + reply ${f.digest} B)`);
  console.log(`  total, a follower (in + out)     ${fmt(floodFollower)}`);
  console.log(`  total, the coordinator           ${fmt(coordinatorTotal)}`);
  console.log(`  total, a follower, mesh forwarding (D=${MESH_D})  ${fmt(meshFollower)}`);
  console.log(
    JSON.stringify({ peers: n, election: e, membership_sent: m.sent, gossip_in: gossipIn, digest, follower_total: floodFollower, coordinator_total: coordinatorTotal, follower_total_mesh: meshFollower }),
  );
}
process.exit(0);
