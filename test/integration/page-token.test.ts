// The live page on a peer with an API token, in real Chromium: /?token=<token> sets an HttpOnly,
// SameSite=Strict session cookie and redirects to /, after which the page's EventSource and its form
// work; a wrong token (in the address or as a forged cookie) is refused and sets nothing.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startPeerProcess, waitFor, type PeerProcess } from '../../scripts/lib/peer-process.js';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';
import { CHROMIUM, NO_CHROMIUM, launchChromium } from '../support/browser.js';

if (!CHROMIUM) console.warn(NO_CHROMIUM);

const TOKEN = 'page-token-0123456789abcdef';
const until = (page: Page, expression: string, timeout = 10_000) => page.waitForFunction(expression, null, { timeout });
const text = (selector: string) => `document.querySelector(${JSON.stringify(selector)}).textContent`;

describe.skipIf(!CHROMIUM)('live page with MCP_API_TOKEN, in Chromium', () => {
  let dir: string;
  let peer: PeerProcess;
  let target: CountingTarget;
  let browser: Browser;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcpdt-page-token-'));
    [peer, target, browser] = await Promise.all([
      startPeerProcess({ dataDir: dir, logLevel: 'warn', env: { MCP_API_TOKEN: TOKEN } }),
      startCountingTarget(),
      launchChromium(),
    ]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await peer?.kill('SIGKILL');
    await target?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a wrong token is refused: 401, no cookie, and the page stays closed', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const wrong = await page.goto(`${peer.httpUrl}/?token=${TOKEN}x`);
    expect(wrong?.status()).toBe(401);
    expect(((await wrong?.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
    expect(await context.cookies()).toEqual([]);
    expect((await page.goto(peer.httpUrl))?.status()).toBe(401);
    await context.close();
    // A forged or stale cookie opens nothing either, nor does the token itself sent as the cookie.
    for (const cookie of ['mcp_session=forged', `mcp_session=${TOKEN}`]) {
      const events = await fetch(`${peer.httpUrl}/api/events`, { headers: { cookie } });
      expect(events.status).toBe(401);
      await events.body?.cancel();
    }
  });

  it('/?token= sets an HttpOnly SameSite=Strict cookie, redirects to /, and the live page works on it', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    const response = await page.goto(`${peer.httpUrl}/?token=${encodeURIComponent(TOKEN)}`);
    expect(response?.status()).toBe(200);
    expect(page.url()).toBe(`${peer.httpUrl}/`); // the token left the address bar
    const [cookie, ...others] = await context.cookies();
    expect(others).toEqual([]);
    expect(cookie).toMatchObject({ name: 'mcp_session', httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookie!.value).not.toContain(TOKEN);
    expect(await page.evaluate('document.cookie')).toBe(''); // scripts cannot read it

    // The EventSource (no Authorization header possible) is let in by the cookie.
    await until(page, `${text('#conn')} === 'live' && window.__mcp.updates >= 1 && document.querySelectorAll('#nodes tbody tr').length === 1`);

    // The form's POST carries the cookie too: the execution reaches the target.
    await page.fill('#start input[name=url]', `${target.url}/with-token`);
    await page.fill('#start input[name=duration]', '2s');
    await page.fill('#start input[name=base_rps]', '20');
    await page.click('#start button[type=submit]');
    await until(page, `${text('#start-result')}.startsWith('started ')`);
    await waitFor(() => target.countsByPath()['/with-token'] || undefined, 10_000, 'requests from the page at the target');
    expect(errors).toEqual([]);

    // Outside the browser the same cookie value works, and no cookie still gets 401.
    const withCookie = await fetch(`${peer.httpUrl}/api/executions`, { headers: { cookie: `mcp_session=${cookie!.value}` } });
    expect(withCookie.status).toBe(200);
    expect((await fetch(`${peer.httpUrl}/api/executions`)).status).toBe(401);
    await context.close();
  }, 60_000);
});
