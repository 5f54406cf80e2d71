// The fault suite's counting target and observer, run inside its own network namespace (plain
// JavaScript: `ip netns exec NS node target.mjs HOST PORT SOCKET`). It counts every request it receives,
// by path, with its arrival time (epoch ms), and answers 200 at once. Its control API listens on a unix
// socket (reachable from the test in the host namespace, since sockets live in the file system): GET
// /arrivals?path=P gives the arrival times of one path; GET /stalls the spans [from, to] (epoch ms) in
// which its own event loop did not turn for over 25 ms; GET|POST /proxy?url=U forwards a request to a
// peer's API over the bridge, so that the test never needs an address outside 127.0.0.0/8.
import { createServer } from 'node:http';
import { rmSync } from 'node:fs';

const [host, port, socketPath] = process.argv.slice(2);
const arrivals = new Map();
// Its own stalls: an arrival is stamped when this event loop gets to it, so a stall of the target (the
// machine starved) moves arrivals across a second boundary. Recorded, so that a second over the bound
// can say whether the target itself stalled there.
const stalls = [];
let lastTurn = Date.now();
setInterval(() => {
  const now = Date.now();
  if (now - lastTurn > 25) stalls.push([lastTurn, now]);
  if (stalls.length > 10_000) stalls.shift();
  lastTurn = now;
}, 5);

const load = createServer((req, res) => {
  const at = Date.now();
  const path = (req.url ?? '/').split('?')[0];
  let list = arrivals.get(path);
  if (!list) arrivals.set(path, (list = []));
  list.push(at);
  req.resume();
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 });
  res.end('ok');
});
load.keepAliveTimeout = 60_000;

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

const control = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://control');
  try {
    if (url.pathname === '/arrivals') {
      const list = arrivals.get(url.searchParams.get('path') ?? '/') ?? [];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(list));
      return;
    }
    if (url.pathname === '/stalls') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(stalls));
      return;
    }
    if (url.pathname === '/proxy') {
      const body = req.method === 'POST' ? await readBody(req) : undefined;
      const answer = await fetch(url.searchParams.get('url'), {
        method: req.method,
        ...(body !== undefined ? { body, headers: { 'content-type': 'application/json' } } : {}),
        signal: AbortSignal.timeout(Number(url.searchParams.get('timeout') ?? 3000)),
      });
      const text = await answer.text();
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      // raw=1: a body that is not JSON (the metrics), as a JSON string.
      res.end(url.searchParams.get('raw') === '1' ? JSON.stringify(text) : text);
      return;
    }
    res.writeHead(404);
    res.end('{}');
  } catch (error) {
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'PROXY', message: String(error) } }));
  }
});

rmSync(socketPath, { force: true });
load.listen(Number(port), host, () => {
  control.listen(socketPath, () => process.stdout.write('target ready\n'));
});
process.on('SIGTERM', () => process.exit(0));
