import { it } from 'vitest';
import { getJson } from '../../scripts/lib/peer-process.js';
import { startCountingTarget } from '../support/counting-target.js';
import { LocalCluster } from '../support/cluster.js';
it('debug', async () => {
  const target = await startCountingTarget();
  const cluster = await LocalCluster.start(3);
  const coordinator = await cluster.waitForCoordinator();
  const body = { name: 'd', tasks: [{ type: 'load_test', parameters: { targets: [{ url: target.url }], duration: 3, base_rps: 300, pattern: 'constant' } }] };
  const r = await fetch(`${coordinator.httpUrl}/api/executions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const { execution_id } = (await r.json()) as { execution_id: string };
  await new Promise((r) => setTimeout(r, 8000));
  console.log(JSON.stringify(await getJson(`${coordinator.httpUrl}/api/executions/${execution_id}`)).slice(0, 1500));
  for (const p of cluster.alive()) console.log('=====', p.id, p === coordinator, '\n', p.stderr().split('\n').filter((l) => !l.includes('"debug"')).slice(0, 80).join('\n'));
  await cluster.close();
  await target.close();
}, 60_000);
