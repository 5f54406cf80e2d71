// Frozen results (histograms encoded) thaw to exactly what was frozen, and take a small fraction of the
// memory: what finished runs and executions are kept as.
import { describe, expect, it } from 'vitest';
import { NO_ERROR, Recorder, freezeResults, frozenResultsBytes, mergeDeltas, resultsBytes, summarize, thawResults } from '../../src/stats/index.js';

function results(targets: number, perSecond: number, seconds: number) {
  const recorder = new Recorder('e:0:a', targets, 0);
  const deltas = [];
  for (let s = 0; s < seconds; s++) {
    for (let k = 0; k < perSecond; k++) {
      const t = s * 1000 + (k * 1000) / perSecond;
      recorder.response(k % targets, t, t + 0.2, t + 1 + ((k * 37) % 250), k % 50 === 0 ? 500 : 200, NO_ERROR, 100, 20);
    }
    deltas.push(recorder.takeDelta(s === seconds - 1));
  }
  return mergeDeltas(deltas);
}

describe('frozen results', () => {
  it.each([
    [1, 50, 1],
    [3, 400, 5],
  ])('%i targets, %i req/s for %i s: thawed equals the original, figures and histograms alike', (targets, rate, seconds) => {
    const original = results(targets, rate, seconds);
    const thawed = thawResults(freezeResults(original));
    expect(summarize(thawed, seconds)).toEqual(summarize(original, seconds));
    expect(thawed.sources).toEqual(original.sources);
    expect(thawed.seconds).toEqual(original.seconds);
    for (const [i, t] of Object.entries(original.targets)) {
      expect(thawed.targets[Number(i)]!.counters).toEqual(t.counters);
      expect(thawed.targets[Number(i)]!.latency.totalCount).toBe(t.latency.totalCount);
      expect(thawed.targets[Number(i)]!.service.getValueAtPercentile(99)).toBe(t.service.getValueAtPercentile(99));
    }
    expect(thawed.lateness?.totalCount).toBe(original.lateness?.totalCount);
    // Decoded, every histogram holds its whole counts array; frozen, only what it counted.
    expect(frozenResultsBytes(freezeResults(original))).toBeLessThan(resultsBytes(original) / 20);
  });
});
