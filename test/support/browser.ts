// Real Chromium (Debian's `chromium`) driven by playwright-core, for page tests. Where it is not installed
// the tests say so and skip; CI installs it (.ci/run).
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { REPO_ROOT } from '../../scripts/lib/peer-process.js';

export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
export const NO_CHROMIUM = 'Chromium is not installed (apt-get install chromium): page tests skipped';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM!, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/** The folder for screenshots and other test artifacts (gitignored). */
export async function artifactPath(name: string): Promise<string> {
  const dir = join(REPO_ROOT, 'test-artifacts');
  await mkdir(dir, { recursive: true });
  return join(dir, name);
}
