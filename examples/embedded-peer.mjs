// Start a peer inside this process, submit an execution to its cluster, follow it, cancel another:
// `node examples/embedded-peer.mjs http://127.0.0.1:8000/`.
import { startPeer } from 'mcp-distributed-testing';

const target = process.argv[2] ?? 'http://127.0.0.1:8000/';
const peer = await startPeer({
  orchestrator: { port: 0, log_level: 'warn' },
  p2p: { port: 0, bootstrap: [] }, // add "host:port" of other peers to join them
  discovery: { mdns: false }, // multicast stays off unless you want LAN discovery
  node: { data_dir: process.env.MCP_DATA_DIR ?? '.mcp-data-example' },
  health_monitoring: { check_interval: 1 },
}, {
  // A check in code, as the seed's check_database_connection: rejects when the dependency is down.
  healthChecks: [{ name: 'target', interval: 0.5, timeout: 2, check: async (signal) => { const r = await fetch(target, { signal }); await r.body?.cancel(); if (!r.ok) throw new Error(`status ${r.status}`); } }],
});
try {
  const cluster = peer.client; // a ClusterClient; `new ClusterClient(url)` reaches any remote peer the same way
  for (let i = 0; i < 100 && (await cluster.health()).coordinator === null; i++) await new Promise((r) => setTimeout(r, 100));
  const members = await cluster.members({ status: 'alive' });
  console.log('members:', members.map((m) => `${m.node_id.slice(-6)} ${m.capabilities.join(',')}`).join(' '));

  const plan = { name: 'embedded', tasks: [{ type: 'load_test', parameters: { targets: [{ url: target }], duration: '2s', base_rps: 40 } }] };
  const id = await cluster.submitExecution(plan);
  const done = await cluster.waitForExecution(id, { timeoutMs: 30_000 });
  console.log(`execution ${id} ${done.status} requests=${done.report?.summary.total_requests}`);

  const long = await cluster.submitExecution({ ...plan, name: 'to-cancel', tasks: [{ ...plan.tasks[0], parameters: { ...plan.tasks[0].parameters, duration: '60s' } }] });
  console.log(`cancel ${long}: ${await cluster.cancelExecution(long)}`);

  const allocation = await cluster.allocateResources({ resources: [{ type: 'cpu', amount: 0.1 }], ttl: 60 });
  console.log(`allocated ${allocation.allocation_id}; in force: ${(await cluster.listAllocations()).length}`);
  await cluster.deallocateResources(allocation.allocation_id);

  let check;
  for (let i = 0; i < 100 && !check; i++) {
    check = (await (await fetch(`${peer.httpUrl}/health`)).json()).checks.find((c) => c.name === 'target');
    if (!check) await new Promise((r) => setTimeout(r, 200));
  }
  console.log(`health check ${check?.name} ok=${check?.ok}`);
} finally {
  await peer.stop();
}
