// The real sampler's event-loop figures: a stall is seen whether it watches finely or coarsely.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemSampler } from '../../actors/node-monitor/sampler.js';

const stall = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('system sampler, event-loop delay', () => {
  for (const precise of [false, true]) {
    it(`sees a 200 ms stall watching ${precise ? 'finely' : 'coarsely'}, and none after it`, async () => {
      const sampler = systemSampler({ diskPath: mkdtempSync(join(tmpdir(), 'mcpdt-sampler-')) });
      try {
        sampler.precise?.(precise);
        sampler.process();
        await tick(120);
        stall(200);
        await tick(120);
        const stalled = sampler.process();
        expect(stalled.event_loop_delay_max_ms).toBeGreaterThanOrEqual(120);
        await tick(300);
        expect(sampler.process().event_loop_delay_max_ms).toBeLessThan(stalled.event_loop_delay_max_ms);
      } finally {
        sampler.close();
      }
    });
  }
});
