// `node peer.js run plan.yaml --html report.html` writes one self-contained file; opened in real Chromium
// with every network request blocked, it renders its charts and tables, and asks for nothing.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { runPeer } from '../support/run-peer.js';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';
import { CHROMIUM, NO_CHROMIUM, artifactPath, launchChromium } from '../support/browser.js';

if (!CHROMIUM) console.warn(NO_CHROMIUM);

let dir: string;
let target: CountingTarget;
let htmlFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcpdt-html-'));
  target = await startCountingTarget();
  const plan = join(dir, 'plan.yaml');
  await writeFile(
    plan,
    `name: html-report </script><b>escaped</b>
tasks:
  - type: load_test
    parameters:
      targets: [{ url: "${target.url}/a", weight: 2 }, { url: "${target.url}/b" }]
      duration: 3
      base_rps: 40
      peak_rps: 80
      pattern: ramp_up
      thresholds: ["p99 < 2s", "error_rate < 0.01"]
`,
  );
  htmlFile = join(dir, 'report.html');
  const { code } = await runPeer(['run', plan, '--html', htmlFile]);
  expect(code).toBe(0);
}, 40_000);
afterAll(async () => {
  await target.close();
  await rm(dir, { recursive: true, force: true });
});

describe('HTML report', () => {
  it('is one file with its data, scripts and styles inline', async () => {
    const html = await readFile(htmlFile, 'utf8');
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=/i);
    expect(html).toContain("default-src 'none'");
    const data = JSON.parse(html.match(/<script id="report-data" type="application\/json">(.*?)<\/script>/s)![1]!) as {
      report: { name: string; summary: { total_requests: number }; targets: unknown[]; thresholds: { passed: boolean }[] };
      series: { merged: { t: number; rps: number; p95: number }[] };
      nodes: unknown[];
    };
    expect(data.report.name).toBe('html-report </script><b>escaped</b>');
    expect(data.report.summary.total_requests).toBe(target.count());
    expect(data.report.targets).toHaveLength(2);
    expect(data.report.thresholds.every((t) => t.passed)).toBe(true);
    expect(data.series.merged.length).toBeGreaterThanOrEqual(3);
    expect(data.series.merged.reduce((s, p) => s + p.rps, 0)).toBe(target.count());
    expect(data.nodes).toHaveLength(1);
  });

  describe.skipIf(!CHROMIUM)('in Chromium with the network blocked', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(async () => browser?.close());

    it('renders its charts and tables and requests nothing', async () => {
      const context = await browser.newContext({ offline: true, viewport: { width: 1200, height: 900 } });
      const requested: string[] = [];
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file:')) return route.continue();
        requested.push(url);
        return route.abort();
      });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(pathToFileURL(htmlFile).href);
      await page.waitForSelector('body[data-rendered=true]', { timeout: 5_000 });
      expect(await page.locator('.chart canvas').count()).toBe(3);
      const sizes = await page.locator('.chart canvas').evaluateAll((els) => els.map((e) => (e as unknown as { width: number }).width));
      expect(sizes.every((w) => w > 200)).toBe(true);
      // Plotted lines: uPlot draws series paths; a chart with data has its y axis above the 0-1 default.
      expect(await page.locator('.chart .u-legend').count()).toBe(3);
      expect(await page.textContent('h1')).toBe('html-report </script><b>escaped</b>');
      expect(await page.locator('section', { hasText: 'Per target' }).locator('tbody tr').count()).toBe(2);
      expect(await page.locator('section', { hasText: 'Thresholds' }).locator('tbody tr').count()).toBe(2);
      expect(await page.locator('section', { hasText: 'Percentiles' }).locator('tbody tr').count()).toBe(2);
      await page.screenshot({ path: await artifactPath('html-report.png'), fullPage: true });
      expect(requested).toEqual([]);
      expect(errors).toEqual([]);
      await context.close();
    });
  });
});
