// The live page in real Chromium against a real 3-peer cluster: nodes shown, an execution started from the
// page's form reaches the counting target, its chart gains points while it runs, cancel works, no console
// error. A screenshot goes to test-artifacts/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { getJson, waitFor } from '../../scripts/lib/peer-process.js';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';
import { LocalCluster } from '../support/cluster.js';
import { CHROMIUM, NO_CHROMIUM, artifactPath, launchChromium } from '../support/browser.js';

if (!CHROMIUM) console.warn(NO_CHROMIUM);

interface Probe {
  updates: number;
  points: number;
  chartPoints: number;
  errors: string[];
}
const probe = (page: Page) => page.evaluate('window.__mcp') as Promise<Probe>;
/** Waits until a JavaScript expression holds in the page. */
const until = (page: Page, expression: string, timeout = 10_000) => page.waitForFunction(expression, null, { timeout });
const text = (selector: string) => `document.querySelector(${JSON.stringify(selector)}).textContent`;

describe.skipIf(!CHROMIUM)('live page in Chromium on a 3-peer cluster', () => {
  let cluster: LocalCluster;
  let target: CountingTarget;
  let browser: Browser;
  beforeAll(async () => {
    [cluster, target, browser] = await Promise.all([LocalCluster.start(3), startCountingTarget(), launchChromium()]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await cluster?.close();
    await target?.close();
  });

  it('shows the nodes, starts an execution from the form, charts it live and cancels another', async () => {
    const peer = cluster.alive()[0]!;
    const context = await browser.newContext({ viewport: { width: 1280, height: 1100 } });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    const bytes: number[] = [];
    page.on('response', (r) => void r.body().then((b) => bytes.push(b.length)).catch(() => undefined));

    await page.goto(peer.httpUrl);
    await until(page, `document.querySelectorAll('#nodes tbody tr').length === 3 && ${text('#nodes tbody')}.split('alive').length === 4`);
    expect(await page.locator('#nodes tbody tr', { hasText: 'coordinator' }).count()).toBe(1);
    expect(bytes.reduce((a, b) => a + b, 0)).toBeLessThan(200 * 1024);

    await page.fill('#start input[name=url]', `${target.url}/from-page`);
    // Long enough for two chart points and a second tab while it runs (what follows does not need it running).
    await page.fill('#start input[name=duration]', '8s');
    await page.fill('#start input[name=base_rps]', '60');
    await page.fill('#start input[name=peak_rps]', '60');
    await page.click('#start button[type=submit]');
    await until(page, `${text('#start-result')}.startsWith('started ')`);
    const id = (await page.textContent('#start-result'))!.slice('started '.length);

    await waitFor(() => target.count() > 0 || undefined, 8_000, 'requests at the target');
    await until(page, 'window.__mcp.chartPoints >= 1', 15_000);
    const early = (await probe(page)).chartPoints;
    await until(page, `window.__mcp.chartPoints > ${early} && ${text('#ex-status')} === 'running'`, 15_000);
    // A second tab of the same browser shares the first one's event stream (a browser allows 6 connections per host).
    const tab = await context.newPage();
    tab.on('pageerror', (e) => consoleErrors.push(String(e)));
    await tab.goto(peer.httpUrl);
    await until(tab, `${text('#conn')} === 'live (shared)' && window.__mcp.updates >= 3 && document.querySelectorAll('#nodes tbody tr').length === 3`);
    await tab.close();
    expect(await page.locator('#execution').isVisible()).toBe(true);
    expect(await page.locator('#ex-nodes tbody tr').count()).toBe(3);
    await page.screenshot({ path: await artifactPath('live-page.png'), fullPage: true });

    await waitFor(async () => (await getJson<{ status: string }>(`${peer.httpUrl}/api/executions/${id}`)).status === 'completed' || undefined, 45_000, 'completed', 200);
    await until(page, `${text('#ex-status')} === 'completed'`, 5_000);
    const counted = target.count();
    expect(counted).toBeGreaterThan(200);
    expect(target.countsByPath()['/from-page']).toBe(counted);

    // A second one, cancelled with the page's button.
    await page.fill('#start input[name=name]', 'to-cancel');
    await page.fill('#start input[name=duration]', '30s');
    await page.click('#start button[type=submit]');
    await until(page, `${text('#ex-name')} === 'to-cancel' && ${text('#ex-status')} === 'running'`);
    await page.click('#ex-cancel');
    await until(page, `${text('#ex-status')} === 'cancelled'`);

    // Health from the node monitor's gossip, for every node.
    await until(page, "document.querySelectorAll('#nodes tbody td:nth-child(6) .badge').length === 3", 15_000);
    await page.screenshot({ path: await artifactPath('live-page-after.png'), fullPage: true });

    const p = await probe(page);
    expect(p.updates).toBeGreaterThan(3);
    expect(p.errors).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await context.close();
  }, 150_000);
});
