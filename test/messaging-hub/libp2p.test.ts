// The hub between two real libp2p peers on 127.0.0.1: every mode delivers, exactly-once de-duplicates.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/actor/actor.js';
import { ActorSystem } from '../../src/actor/system.js';
import { call } from '../../src/protocol/rpc.js';
import { Libp2pTransport } from '../../src/transport/libp2p/transport.js';
import { silentLogger } from '../../src/util/log.js';
import { waitFor } from '../../scripts/lib/peer-process.js';
import { messagingHub } from '../../actors/messaging-hub/hub.js';
import { AckFrame, DELIVERY_MODES, HUB_PROTOCOL, type HubMessage } from '../../actors/messaging-hub/messages.js';
import { hubStats, send } from '../../actors/messaging-hub/send.js';
import type { HubState } from '../../actors/messaging-hub/state.js';

describe('messaging hub over libp2p on 127.0.0.1', () => {
  let dir: string;
  let a: Libp2pTransport;
  let b: Libp2pTransport;
  let system: ActorSystem;
  let hubA: Actor<HubMessage, HubState>;
  let hubB: Actor<HubMessage, HubState>;
  const received: { payload: unknown; from: string }[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcpdt-hub-'));
    const start = (name: string) => Libp2pTransport.start({ dataDir: join(dir, name), host: '127.0.0.1', port: 0, mdns: false, bootstrap: [], log: silentLogger });
    [a, b] = await Promise.all([start('a'), start('b')]);
    system = new ActorSystem();
    hubA = await system.spawn(messagingHub({ transport: a }));
    hubB = await system.spawn(
      messagingHub({
        transport: b,
        handlers: {
          'test.echo': (payload, from) => {
            received.push({ payload, from });
            return { echo: payload, count: received.length };
          },
        },
      }),
    );
    a.connect(b.self, b.addresses());
    await waitFor(() => a.connectedPeers().includes(b.self) && b.connectedPeers().includes(a.self), 5_000, 'a and b connected');
  });

  afterAll(async () => {
    await system?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
    await rm(dir, { recursive: true, force: true });
  });

  it.each(DELIVERY_MODES.filter((m) => m !== 'fire-and-forget'))('%s delivers and returns the result', async (mode) => {
    const before = received.length;
    const result = await send(hubA, b.self, 'test.echo', { mode }, mode, { deadlineMs: 5_000 });
    expect(result).toEqual({ echo: { mode }, count: before + 1 });
    expect(received.at(-1)).toEqual({ payload: { mode }, from: a.self });
  }, 10_000);

  it('fire-and-forget delivers', async () => {
    const before = received.length;
    await expect(send(hubA, b.self, 'test.echo', 'ff', 'fire-and-forget')).resolves.toBeUndefined();
    await waitFor(() => received.length === before + 1, 5_000, 'fire-and-forget delivery');
    await waitFor(async () => (await hubStats(hubA)).modes['fire-and-forget'].delivered === 1, 5_000, 'ack counted');
  }, 10_000);

  it('exactly-once answers a re-sent id with the first reply, without calling the handler again', async () => {
    const before = received.length;
    const frame = { type: 'hub.message', id: 'resent-1', kind: 'test.echo', mode: 'exactly-once', payload: 'dup', attempt: 1 };
    const first = await call(a, b.self, HUB_PROTOCOL, frame, AckFrame);
    const second = await call(a, b.self, HUB_PROTOCOL, { ...frame, attempt: 2 }, AckFrame);
    expect(second).toEqual(first);
    expect(first.result).toEqual({ echo: 'dup', count: before + 1 });
    expect(received.length).toBe(before + 1);
    expect((await hubStats(hubB)).modes['exactly-once'].duplicatesSuppressed).toBe(1);
  }, 10_000);

  it('reports an unknown kind as rejected', async () => {
    await expect(send(hubA, b.self, 'nobody', null, 'reliable', { deadlineMs: 3_000 })).rejects.toMatchObject({
      code: 'HUB_REJECTED',
      details: { cause_code: 'HUB_UNKNOWN_KIND' },
    });
  }, 10_000);
});
