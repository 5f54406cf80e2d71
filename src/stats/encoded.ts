// Encoded histograms (HdrHistogram's compressed V2 format, as encodeHistogram writes them) added, decoded
// and summed without a new counts array each time: the library's decode builds a histogram of about
// 150 KB per call, and every merge and report decoded several (issue 9: arrays of that size, freed,
// stayed in glibc's malloc arenas). Sums go through this thread's spare counts (pool.ts), and counts are
// written straight into the library's encoding (encodeCounts).
import { deflateSync, inflateSync } from 'node:zlib';
import { decodeFromCompressedBase64 } from 'hdr-histogram-js/dist/encoding.js';
import { BUCKETS, bucketValue, type BucketCounts } from './bucket-counts.js';
import { createHistogram, encodeHistogram, HDR_DIGITS, HDR_HIGHEST_US, HDR_LOWEST_US, type Histogram } from './histogram.js';
import { giveBackCounts, giveBackHistogram, takeCounts, takeHistogram, withHistogram } from './pool.js';

const COOKIE_MASK = ~0xf0;
const V2_COOKIE = 0x1c849303;
const V2_COMPRESSED_COOKIE = 0x1c849304;
/** Payload header: cookie, length, normalizing offset, digits, lowest, highest (int64), conversion ratio. */
const HEADER_BYTES = 40;
const TWO_POW_32 = 2 ** 32;

/** The library's own decode (any range, any digits): the fallback for what the fast path does not cover. */
function libraryDecode(encoded: string): Histogram {
  return decodeFromCompressedBase64(encoded, 64, false, HDR_HIGHEST_US);
}

/** Histograms of the usual shape (1 µs lowest, 3 digits): counts index i is bucket-counts' bucket i. */
interface Shape {
  unitMagnitude: number;
  subBucketHalfCount: number;
  countsArrayLength: number;
}
const usualShape = (h: Histogram) => {
  const s = h as unknown as Shape;
  return s.unitMagnitude === 0 && s.subBucketHalfCount === 1024 && s.countsArrayLength >= BUCKETS;
};
const slotsOf = (h: Histogram) => (h as unknown as Shape).countsArrayLength;

const int64At = (b: Buffer, at: number) => b.readUInt32BE(at) * TWO_POW_32 + b.readUInt32BE(at + 4);

/** The uncompressed counts of an encoding of the usual shape and range; undefined for anything else. */
function payloadOf(encoded: string): { payload: Buffer; end: number } | undefined {
  const outer = Buffer.from(encoded, 'base64');
  if (outer.length < 8 || (outer.readInt32BE(0) & COOKIE_MASK) !== V2_COMPRESSED_COOKIE) return undefined;
  const payload = inflateSync(outer.subarray(8, 8 + outer.readUInt32BE(4)));
  if (payload.length < HEADER_BYTES || (payload.readInt32BE(0) & COOKIE_MASK) !== V2_COOKIE) return undefined;
  const digits = payload.readInt32BE(12);
  const lowest = int64At(payload, 16);
  const highest = int64At(payload, 24);
  if (digits !== HDR_DIGITS || lowest !== HDR_LOWEST_US || highest > HDR_HIGHEST_US) return undefined;
  return { payload, end: Math.min(payload.length, HEADER_BYTES + payload.readUInt32BE(4)) };
}

/** The payload of an encoding of the usual shape and range whose slots fit in `slots`; undefined for any other. */
function usualPayload(encoded: string, slots: number): { payload: Buffer; end: number } | undefined {
  const parsed = payloadOf(encoded);
  // Slots past the array: only a foreign or damaged encoding has them.
  return parsed !== undefined && walk(parsed.payload, parsed.end) <= slots ? parsed : undefined;
}

/**
 * Walks the ZigZag LEB128 counts as the library reads them (a negative number is a run of empty slots);
 * calls `visit` for each non-zero count when given. Returns the index after the last slot.
 */
function walk(payload: Buffer, end: number, visit?: (index: number, count: number) => void): number {
  let index = 0;
  let at = HEADER_BYTES;
  while (at < end) {
    let b = payload[at++]!;
    let v = b & 127;
    for (let scale = 128; b & 128 && scale <= 2 ** 56; scale *= 128) {
      b = payload[at++]!;
      v += (b & 127) * scale;
    }
    const n = v % 2 === 0 ? v / 2 : -(v + 1) / 2;
    if (n < 0) index += -n;
    else {
      if (n > 0 && visit) visit(index, n);
      index++;
    }
  }
  return index;
}

/** Adds an encoded histogram ('' adds nothing) to `into`: the same as `into.add(decodeHistogram(encoded))`. */
export function addEncoded(into: Histogram, encoded: string | undefined): void {
  if (encoded === undefined || encoded === '') return;
  const parsed = usualShape(into) ? usualPayload(encoded, slotsOf(into)) : undefined;
  if (parsed === undefined) {
    into.add(libraryDecode(encoded));
    return;
  }
  walk(parsed.payload, parsed.end, (index, count) => into.recordValueWithCount(bucketValue(index), count));
}

/** A new 64-bit histogram of the encoded one (empty for ''). */
export function decodeHistogram(encoded: string): Histogram {
  const histogram = createHistogram(64);
  addEncoded(histogram, encoded);
  return histogram;
}

/** A new 64-bit histogram holding `base` plus the encoded one; `base` is left untouched. */
export function plusEncoded(base: Histogram | undefined, encoded: string): Histogram {
  const sum = createHistogram(64);
  if (base !== undefined && base.totalCount > 0) sum.add(base);
  addEncoded(sum, encoded);
  return sum;
}

/** Adds an encoding of the usual shape and range to `into`; false, adding nothing, for any other. */
function addEncodedCounts(into: BucketCounts, encoded: string): boolean {
  const parsed = usualPayload(encoded, BUCKETS);
  if (parsed === undefined) return false;
  walk(parsed.payload, parsed.end, (index, count) => into.addCount(index, count));
  return true;
}

/**
 * Sum of encoded histograms, encoded ('' when all are empty; a lone one as it came). Summed as bucket
 * counts and written by encodeCounts: the string the library's sum and encoding give (the coordinator
 * sums each second of each delta), without a library histogram to fill, walk and clear.
 */
export function sumEncoded(parts: readonly string[]): string {
  const present = parts.filter((p) => p !== '');
  if (present.length <= 1) return present[0] ?? '';
  const sum = takeCounts();
  try {
    for (const p of present) {
      if (addEncodedCounts(sum, p)) continue;
      // One of another range or precision: the library's way for all of them.
      return withHistogram((h) => {
        for (const q of present) addEncoded(h, q);
        return encodeHistogram(h);
      });
    }
    return encodeCounts(sum);
  } finally {
    giveBackCounts(sum);
  }
}

/** Sum of two encoded histograms, encoded. */
export function addEncodedHistograms(a: string, b: string): string {
  return sumEncoded([a, b]);
}

/** The cookies the library writes: the V2 ones with the flag of its zero-run (ZigZag LEB128) encoding. */
const ENCODING_COOKIE = V2_COOKIE | 0x10;
const COMPRESSED_COOKIE = V2_COMPRESSED_COOKIE | 0x10;
/** Where the counts are written before deflating, grown when a histogram needs more (9 bytes a slot at most). */
let scratch = Buffer.allocUnsafe(16 * 1024);

/** Writes `n` ZigZag LEB128 at `at`, as the library does (its 9-byte form is for values past 2^55, never a count); returns the end. */
function putZigZag(b: Buffer, at: number, n: number): number {
  let v = n >= 0 ? n * 2 : -n * 2 - 1;
  while (v >= 128) {
    b[at++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  b[at++] = v;
  return at;
}

const putInt64 = (b: Buffer, at: number, v: number) => {
  b.writeUInt32BE(Math.floor(v / TWO_POW_32), at);
  b.writeUInt32BE(v % TWO_POW_32, at + 4);
};

/**
 * Writes slots [0, limit) at `at` (every slot below `lo` is empty): a count, or a run of empty slots as
 * minus its length (a lone empty slot as the count 0); returns the end. Its own function, apart from what
 * encodeCounts does once per call: its loop is what makes the optimising compiler take it up, within the
 * first call, and every site it holds has run by then. Compiled inside encodeCounts, the code after the
 * loop had not run yet, and each site reached for the first time undid the compiled code and sent it back
 * to be compiled again: five compilations of 7-11 ms each in the first seconds of a run.
 */
function putSlots(b: Buffer, at: number, c: BucketCounts['counts'], lo: number, limit: number): number {
  let i = 0;
  while (i < limit) {
    const n = c[i++]!;
    if (n !== 0) {
      at = putZigZag(b, at, n);
      continue;
    }
    let zeros = 1;
    if (i < lo) {
      zeros += lo - i;
      i = lo;
    }
    while (i < limit && c[i] === 0) {
      zeros++;
      i++;
    }
    at = putZigZag(b, at, zeros > 1 ? -zeros : 0);
  }
  return at;
}

/**
 * Counts as an encoded histogram ('' when empty): the very string the library's encodeIntoCompressedBase64
 * gives for a histogram of these counts (a test checks it), written straight from the touched range. The
 * library's way cost a delta cut, each second of a run, a histogram filled value by value, a walk of every
 * slot below the highest, a byte buffer grown by doubling and a base64 in JavaScript, per histogram; and
 * the optimising compiler's work on all of that, in the first seconds of every run.
 */
export function encodeCounts(counts: BucketCounts): string {
  if (counts.total === 0) return '';
  const limit = counts.hi + 1;
  if (scratch.length < HEADER_BYTES + 9 * limit) scratch = Buffer.allocUnsafe(HEADER_BYTES + 9 * limit);
  const b = scratch;
  b.writeInt32BE(ENCODING_COOKIE, 0);
  // Bytes 4-7: the payload's length, once known. Then what the library writes in the normalizing offset's place.
  b.writeInt32BE(1, 8);
  b.writeInt32BE(HDR_DIGITS, 12);
  putInt64(b, 16, HDR_LOWEST_US);
  putInt64(b, 24, HDR_HIGHEST_US);
  putInt64(b, 32, 1);
  const at = putSlots(b, HEADER_BYTES, counts.counts, counts.lo, limit);
  b.writeInt32BE(at - HEADER_BYTES, 4);
  const deflated = deflateSync(b.subarray(0, at));
  const out = Buffer.allocUnsafe(8 + deflated.length);
  out.writeInt32BE(COMPRESSED_COOKIE, 0);
  out.writeInt32BE(deflated.length, 4);
  deflated.copy(out, 8);
  return out.toString('base64');
}

/** `fn` of the decoded histogram, decoded into a spare that `fn` must not keep. */
export function withDecoded<T>(encoded: string, fn: (histogram: Histogram) => T): T {
  const histogram = takeHistogram();
  try {
    addEncoded(histogram, encoded);
    return fn(histogram);
  } finally {
    giveBackHistogram(histogram);
  }
}
