// One peer alone is a whole cluster: it elects itself and runs executions with itself as the generator.
import { afterEach, expect, it } from 'vitest';
import { waitFor } from '../../scripts/lib/peer-process.js';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';
import { LocalCluster } from '../support/cluster.js';

let cluster: LocalCluster | undefined;
let target: CountingTarget | undefined;
afterEach(async () => {
  await cluster?.close();
  await target?.close();
});

it('a lone peer runs an execution posted to it, exactly', async () => {
  target = await startCountingTarget();
  cluster = await LocalCluster.start(1);
  const peer = cluster.alive()[0]!;
  const plan = { name: 'lone', tasks: [{ type: 'load_test', parameters: { targets: [{ url: target.url }], duration: 2, base_rps: 50 } }] };
  const response = await fetch(`${peer.httpUrl}/api/executions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(plan) });
  expect(response.status).toBe(201);
  const { execution_id } = (await response.json()) as { execution_id: string };
  const etagsWhileRunning = new Set<string | null>();
  const done = await waitFor(async () => {
    const res = await fetch(`${peer.httpUrl}/api/executions/${execution_id}`);
    const e = (await res.json()) as { status: string; report: { summary: { total_requests: number } } };
    if (e.status === 'running') etagsWhileRunning.add(res.headers.get('etag'));
    return e.status === 'running' || e.status === 'pending' ? undefined : e;
  }, 20_000, 'the execution to end');
  expect(done.status).toBe('completed');
  expect(done.report.summary.total_requests).toBe(100);
  expect(target.count()).toBe(100);
  // A running execution's view is as of now: built on each read, no ETag.
  expect([...etagsWhileRunning]).toEqual([null]);
  // An ended one answers the same bytes with an ETag, and 304 to a client that has them.
  const url = `${peer.httpUrl}/api/executions/${execution_id}`;
  const first = await fetch(url);
  const etag = first.headers.get('etag');
  expect(etag).toMatch(/^".+"$/);
  const second = await fetch(url);
  expect([second.headers.get('etag'), await second.text()]).toEqual([etag, await first.text()]);
  const notModified = await fetch(url, { headers: { 'if-none-match': `W/${etag!}, "other"` } });
  expect([notModified.status, notModified.headers.get('etag'), await notModified.text()]).toEqual([304, etag, '']);
  expect((await fetch(url, { headers: { 'if-none-match': '"other"' } })).status).toBe(200);
}, 40_000);
