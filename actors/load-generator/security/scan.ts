// A security scan: crawl the target's same-origin pages to the asked depth, then run the asked probes on
// every page and injection point, within the request budget. The report lists what was proven.
import { errorMessage, McpError } from '../../../src/errors.js';
import type { SecurityTask } from '../../../src/plan/security-task.js';
import { DEPTH_LIMITS } from '../../../src/plan/security-task.js';
import { orderFindings, severityCounts, type Finding, type SecurityReport } from '../../../src/report/security-report.js';
import { probeCors, probeSql, probeXss } from './active-probes.js';
import { cookieFindings, csrfFormFindings, headerFindings } from './passive-probes.js';
import { extractPage, injectionPoints, sameOrigin, shapeKey, type InjectionPoint, type PageInfo } from './page.js';
import { headerOf, PROBE_BUDGET_SPENT, PROBE_STOPPED, ProbeClient, type ProbePorts, type ProbeResponse } from './probe-client.js';

export interface CrawledPage {
  url: string;
  response: ProbeResponse;
  info: PageInfo;
}

export interface SecurityScan {
  readonly done: Promise<SecurityReport>;
  stop(): void;
  /** Findings so far and requests sent. */
  progress(): { requests_sent: number; pages: number; findings: Finding[] };
}

/** Pages probed for CORS at most: the answer rarely differs between pages of one application. */
const CORS_PAGES = 3;

async function crawl(client: ProbeClient, task: SecurityTask, pages: CrawledPage[]): Promise<void> {
  const { hops, pages: maxPages } = DEPTH_LIMITS[task.depth];
  const seen = new Set<string>();
  const queue: Array<{ url: string; hop: number }> = [{ url: task.target, hop: 0 }];
  seen.add(shapeKey('GET', task.target, [...new URL(task.target).searchParams.keys()]));
  while (queue.length > 0 && pages.length < maxPages) {
    const { url, hop } = queue.shift()!;
    const response = await client.send({ method: 'GET', url });
    const html = (headerOf(response, 'content-type') ?? '').includes('html');
    const info: PageInfo = html ? extractPage(response.body, url) : { links: [], forms: [] };
    const location = headerOf(response, 'location');
    if (response.status >= 300 && response.status < 400 && location) info.links.push(new URL(location, url).href);
    pages.push({ url, response, info });
    if (hop >= hops) continue;
    for (const link of info.links) {
      if (!sameOrigin(link, task.target)) continue;
      const key = shapeKey('GET', link, [...new URL(link).searchParams.keys()]);
      if (seen.has(key)) continue;
      seen.add(key);
      queue.push({ url: link, hop: hop + 1 });
    }
  }
}

function uniquePoints(pages: readonly CrawledPage[]): InjectionPoint[] {
  const seen = new Set<string>();
  const out: InjectionPoint[] = [];
  for (const page of pages) {
    for (const point of injectionPoints(page.url, page.info)) {
      if (!sameOrigin(point.url, page.url)) continue;
      const key = `${shapeKey(point.method, point.url, Object.keys(point.params))}#${point.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(point);
    }
  }
  return out;
}

export function startScan(task: SecurityTask, ports: ProbePorts): SecurityScan {
  const client = new ProbeClient(task, ports);
  const pages: CrawledPage[] = [];
  const findings: Finding[] = [];
  const startedAt = ports.now();
  let stopped = false;
  const wants = new Set(task.scan_types);

  const run = async (): Promise<{ status: SecurityReport['status']; note?: string }> => {
    await crawl(client, task, pages);
    for (const page of pages) {
      if (wants.has('headers') && page === pages[0]) findings.push(...headerFindings(page.response));
      if (wants.has('csrf')) findings.push(...csrfFormFindings(page.response, page.info.forms), ...cookieFindings(page.response));
    }
    if (wants.has('cors')) for (const page of pages.slice(0, CORS_PAGES)) findings.push(...(await probeCors(client, page.url)));
    const points = uniquePoints(pages);
    for (const point of points) {
      if (wants.has('xss')) findings.push(...(await probeXss(client, point)));
      if (wants.has('sql_injection')) findings.push(...(await probeSql(client, point, task)));
    }
    return { status: 'completed' };
  };

  const done = run()
    .catch((error: unknown): { status: SecurityReport['status']; note?: string } => {
      const code = error instanceof McpError ? error.code : undefined;
      if (code === PROBE_BUDGET_SPENT) return { status: 'completed', note: `${errorMessage(error)}: the scan ended early` };
      if (code === PROBE_STOPPED || stopped) return { status: 'stopped', note: 'stopped before every probe ran' };
      return { status: 'failed', note: errorMessage(error) };
    })
    .then(async ({ status, note }) => {
      await client.close();
      const finishedAt = ports.now();
      const ordered = orderFindings(findings);
      const report: SecurityReport = {
        target: task.target,
        scan_types: task.scan_types,
        depth: task.depth,
        status,
        ...(note !== undefined ? { note } : {}),
        started_at: new Date(startedAt).toISOString(),
        finished_at: new Date(finishedAt).toISOString(),
        duration_s: Math.round(finishedAt - startedAt) / 1000,
        pages: pages.map((p) => p.url),
        requests_sent: client.sent,
        counts: severityCounts(ordered),
        findings: ordered,
      };
      return report;
    });

  return {
    done,
    stop() {
      stopped = true;
      client.stop();
    },
    progress: () => ({ requests_sent: client.sent, pages: pages.length, findings: orderFindings(findings) }),
  };
}
