// The HTML report of the test types: `node peer.js run --html` on a plan with a stress test and a security
// test writes their sections (gate, breaking point with its steps and curve, findings with their proof)
// into the self-contained file, and Chromium renders them with the network blocked.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPeer } from '../support/run-peer.js';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';
import { startProbeTarget, type ProbeTarget } from '../support/probe-target.js';
import { CHROMIUM, NO_CHROMIUM, artifactPath, launchChromium } from '../support/browser.js';

if (!CHROMIUM) console.warn(NO_CHROMIUM);

let dir: string;
let target: CountingTarget;
let app: ProbeTarget;
let htmlFile: string;
let code: number | null;

beforeAll(async () => {
  [dir, target, app] = await Promise.all([mkdtemp(join(tmpdir(), 'mcpdt-types-html-')), startCountingTarget({ maxRps: 65, windowMs: 2_000 }), startProbeTarget({ hardened: false })]);
  const plan = join(dir, 'plan.json');
  await writeFile(
    plan,
    JSON.stringify({
      name: 'types',
      tasks: [
        { type: 'stress_test', parameters: { targets: [{ url: `${target.url}/s` }], start_rps: 20, step_rps: 20, max_rps: 200, step_duration: 1, slo: ['error_rate < 5%'] } },
        { type: 'security_test', parameters: { target: app.url, authorized: true, rate: 50, sql_delay: 1 } },
      ],
    }),
  );
  htmlFile = join(dir, 'report.html');
  ({ code } = await runPeer(['run', plan, '--html', htmlFile], { timeoutMs: 40_000 }));
}, 60_000);
afterAll(async () => {
  await Promise.all([target?.close(), app?.close()]);
  await rm(dir, { recursive: true, force: true });
});

describe('HTML report of the test types', () => {
  it('carries each task\'s section and the gate in its data (the findings fail it: exit 99)', async () => {
    expect(code).toBe(99);
    const html = await readFile(htmlFile, 'utf8');
    const data = JSON.parse(html.match(/<script id="report-data" type="application\/json">(.*?)<\/script>/s)![1]!);
    expect(data.report.tasks[0].stress.breaking_point).toMatchObject({ last_good_rps: 60, first_bad_rps: 80 });
    expect(data.report.tasks[1].security.findings.length).toBeGreaterThan(0);
    expect(data.report.gate.passed).toBe(false);
  });

  describe.skipIf(!CHROMIUM)('in Chromium with the network blocked', () => {
    it('renders the gate, the breaking point, its steps and curve, and the findings with their proof', async () => {
      const browser = await launchChromium();
      try {
        const context = await browser.newContext({ offline: true, viewport: { width: 1200, height: 900 } });
        const requested: string[] = [];
        await context.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : (requested.push(route.request().url()), route.abort())));
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(String(e)));
        await page.goto(pathToFileURL(htmlFile).href);
        await page.waitForSelector('#security-1', { timeout: 5_000 });
        expect(await page.textContent('#gate')).toContain('failed');
        expect(await page.textContent('#stress-0')).toContain('last good 60 req/s · first bad 80 req/s');
        expect(await page.locator('#stress-0 tbody tr').count()).toBe(4);
        expect(await page.locator('#stress-0 .curve .step').count()).toBe(4);
        const findings = page.locator('#security-1 tbody tr');
        expect(await findings.count()).toBeGreaterThan(3);
        expect(await page.textContent('#security-1')).toContain('Reflected XSS');
        await page.screenshot({ path: await artifactPath('test-types-report.png'), fullPage: true });
        expect(requested).toEqual([]);
        expect(errors).toEqual([]);
        await context.close();
      } finally {
        await browser.close();
      }
    });
  });
});
