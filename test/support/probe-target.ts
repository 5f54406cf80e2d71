// A deliberately vulnerable web application on 127.0.0.1 (port 0), one route per weakness, and its
// hardened twin (`hardened: true`) that answers the same pages safely: the security probes must find
// every weakness of the first and nothing in the second. The database is a real SQLite (better-sqlite3)
// queried by string building in the vulnerable twin and by bound parameters in the hardened one.
//
//   /                 index: links to every route, a GET search form, a POST transfer form (no token),
//                     a session cookie without SameSite, no security headers
//   /search?q=        reflected XSS (q written raw into HTML)
//   /items?name=      SQL injection, errors shown (SQLite's message in the page)
//   /item?id=         SQL injection, numeric, errors hidden: only a boolean difference shows it
//   /lookup?user=     SQL injection, blind: the same page whatever happens; only time shows it
//                     (SLEEP(s) is a function of the database, as in MySQL: the answer waits s seconds)
//   /api/profile      CORS: reflects any Origin with Access-Control-Allow-Credentials: true
//   POST /transfer    state-changing, no anti-forgery token
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ProbeTarget {
  url: string;
  /** Requests received, by path. */
  counts(): Record<string, number>;
  total(): number;
  close(): Promise<void>;
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const HARDENED_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'self'; object-src 'none'; frame-ancestors 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
};

export async function startProbeTarget(opts: { hardened: boolean }): Promise<ProbeTarget> {
  const safe = opts.hardened;
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, price REAL);
           INSERT INTO items (name, price) VALUES ('widget', 9.5), ('gadget', 20), ('gizmo', 3);
           CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);
           INSERT INTO users (name) VALUES ('alice'), ('bob');`);
  // MySQL's SLEEP: the statement's answer is held that long (asynchronously, so the server stays responsive).
  let sleepS = 0;
  db.function('SLEEP', (s: unknown) => {
    sleepS = Math.max(sleepS, Math.min(5, Number(s) || 0));
    return 1;
  });
  const token = randomBytes(8).toString('hex');
  const counts: Record<string, number> = {};
  let total = 0;

  const page = (res: ServerResponse, status: number, body: string, extra: Record<string, string> = {}) => {
    const headers: Record<string, string> = { 'content-type': 'text/html; charset=utf-8', ...(safe ? HARDENED_HEADERS : {}), ...extra };
    res.writeHead(status, headers);
    res.end(`<!doctype html><html><body>${body}</body></html>`);
  };

  const routes: Record<string, (q: URLSearchParams, req: IncomingMessage, res: ServerResponse, body: string) => void> = {
    '/'(_q, _req, res) {
      const cookie = safe ? 'session=s3cr3t; HttpOnly; SameSite=Lax; Path=/' : 'session=s3cr3t; HttpOnly; Path=/';
      const tokenField = safe ? `<input type="hidden" name="csrf_token" value="${token}">` : '';
      page(
        res,
        200,
        `<h1>Shop</h1>
         <a href="/api/profile">profile</a> <a href="/search?q=hello">search</a> <a href="/items?name=widget">items</a>
         <a href="/item?id=1">item 1</a> <a href="/lookup?user=alice">lookup</a> <a href="https://elsewhere.invalid/">elsewhere</a>
         <form action="/search" method="get"><input name="q" value=""><button>go</button></form>
         <form action="/transfer" method="post">${tokenField}<input name="to"><input name="amount" type="number"><input type="submit"></form>`,
        { 'set-cookie': cookie },
      );
    },
    '/search'(q, _req, res) {
      const term = q.get('q') ?? '';
      page(res, 200, `<p>Results for ${safe ? escapeHtml(term) : term}</p>`);
    },
    '/items'(q, _req, res) {
      const name = q.get('name') ?? '';
      try {
        const rows = safe ? db.prepare('SELECT name, price FROM items WHERE name = ?').all(name) : db.prepare(`SELECT name, price FROM items WHERE name = '${name}'`).all();
        page(res, 200, `<p>Items named ${escapeHtml(name)}</p><ul>${(rows as Array<{ name: string; price: number }>).map((r) => `<li>${escapeHtml(r.name)} ${r.price}</li>`).join('')}</ul>`);
      } catch (error) {
        page(res, 500, `<pre>${escapeHtml(String(error))} ${escapeHtml((error as { code?: string }).code ?? '')}</pre>`);
      }
    },
    '/item'(q, _req, res) {
      const id = q.get('id') ?? '';
      try {
        const row = safe ? db.prepare('SELECT name, price FROM items WHERE id = ?').get(Number(id)) : db.prepare(`SELECT name, price FROM items WHERE id = ${id}`).get();
        const r = row as { name: string; price: number } | undefined;
        page(res, r ? 200 : 404, r ? `<p>${escapeHtml(r.name)}: ${r.price}</p>` : '<p>No such item</p>');
      } catch {
        page(res, 500, '<p>Something went wrong</p>');
      }
    },
    '/lookup'(q, _req, res) {
      const user = q.get('user') ?? '';
      sleepS = 0;
      try {
        if (safe) db.prepare('SELECT count(*) FROM users WHERE name = ?').get(user);
        else db.prepare(`SELECT count(*) FROM users WHERE name = '${user}'`).get();
      } catch {
        // Blind: the page is the same whatever the query did.
      }
      const wait = sleepS * 1000;
      sleepS = 0;
      setTimeout(() => page(res, 200, '<p>Lookup done</p>'), wait);
    },
    '/api/profile'(_q, req, res) {
      const origin = req.headers.origin;
      const cors: Record<string, string> = safe ? { 'access-control-allow-origin': 'https://app.example' } : origin ? { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true' } : {};
      res.writeHead(200, { 'content-type': 'application/json', ...(safe ? HARDENED_HEADERS : {}), ...cors });
      res.end(JSON.stringify({ user: 'alice' }));
    },
    '/transfer'(_q, req, res, body) {
      const form = new URLSearchParams(body);
      if (req.method !== 'POST') return page(res, 405, '<p>POST only</p>');
      if (safe && form.get('csrf_token') !== token) return page(res, 403, '<p>Bad token</p>');
      page(res, 200, `<p>Sent ${escapeHtml(form.get('amount') ?? '')} to ${escapeHtml(form.get('to') ?? '')}</p>`);
    },
  };

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    counts[url.pathname] = (counts[url.pathname] ?? 0) + 1;
    total++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const route = routes[url.pathname];
      if (!route) return page(res, 404, '<p>Not found</p>');
      route(url.searchParams, req, res, Buffer.concat(chunks).toString('utf8'));
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    counts: () => ({ ...counts }),
    total: () => total,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
      db.close();
    },
  };
}
