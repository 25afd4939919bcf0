/**
 * deflate.c's lazy matcher (deflate_slow, levels 4–9) at level 6 for an input that is one block
 * and never slides the window: the LZ77 half of zlib.compress, tie-breaking included. It writes
 * the block's symbols (literals and length/distance pairs) and counts them for the trees.
 *
 * Speed notes (issue 13): the state is module-level typed arrays kept between calls; the hash
 * heads are cleared by generation (a head below `base` is from an earlier call, i.e. empty)
 * rather than by a 128 KB fill; the hot loop keeps everything in locals.
 */
import { DIST_CODE, LENGTH_CODE, LITERALS } from './zlib-tables.js';

/** Up to this size the input fits one block (16,383 symbols) and never slides the window. */
export const SMALL_INPUT_LIMIT = 16382;

export const MIN_MATCH = 3;
export const MAX_MATCH = 258;
const HASH_MASK = 0x7fff;
const HASH_SHIFT = 5;
// Level 6 of zlib's configuration_table: good_length, max_lazy, nice_length, max_chain.
const GOOD_LENGTH = 8;
const MAX_LAZY = 16;
const NICE_LENGTH = 128;
const MAX_CHAIN = 128;
const TOO_FAR = 4096;

/**
 * The block's symbols in order, one number each: a literal is its byte (dist 0); a match is
 * dist << 8 | (length - MIN_MATCH). Distances stay below 2^15, so a symbol fits 23 bits.
 */
export const symbols = new Int32Array(SMALL_INPUT_LIMIT);

const window = new Uint8Array(SMALL_INPUT_LIMIT + MAX_MATCH + 8);
/** Hash heads hold base + position; anything below base belongs to an earlier call (= empty). */
const head = new Int32Array(HASH_MASK + 1);
let base = 1;
/** prev[position]: the previous position with the same hash, 0 for none (zlib's NIL). */
const prev = new Int32Array(SMALL_INPUT_LIMIT);
/** Set by longestMatch: where its best match starts. */
let matchStart = 0;

/**
 * Finds the matches of `input` (at most SMALL_INPUT_LIMIT bytes), writes them to `symbols`, adds
 * them to the literal/length and distance counts, and returns the symbol count.
 */
export function findMatches(input: Uint8Array, lFreq: Int32Array, dFreq: Int32Array): number {
  const n = input.length;
  const win = window;
  win.set(input);
  // zlib zero-fills past the data (WIN_INIT); matches may read there before being clipped.
  win.fill(0, n, n + MAX_MATCH + 8);
  if (base > 0x3fffffff - n) {
    head.fill(0);
    base = 1;
  }
  const gen = base;
  base += n + 1;
  const syms = symbols;
  let count = 0;
  // Every position up to n - MIN_MATCH is inserted exactly once and in order, so the hash rolls
  // as zlib's UPDATE_HASH does: ((h << 5) ^ next byte) & mask.
  let hash = ((win[0]! << HASH_SHIFT) ^ win[1]!) & HASH_MASK;
  let strstart = 0;
  let lookahead = n;
  let matchAvailable = false;
  let matchLength = MIN_MATCH - 1;
  let prevMatch = 0;
  while (lookahead !== 0) {
    let hashHead = 0;
    if (lookahead >= MIN_MATCH) {
      hash = ((hash << HASH_SHIFT) ^ win[strstart + 2]!) & HASH_MASK;
      const old = head[hash]! - gen;
      hashHead = Math.max(old, 0);
      prev[strstart] = hashHead;
      head[hash] = gen + strstart;
    }
    const prevLength = matchLength;
    prevMatch = matchStart;
    matchLength = MIN_MATCH - 1;
    // The window never slides here, so every candidate is within MAX_DIST.
    if (hashHead !== 0 && prevLength < MAX_LAZY) {
      matchLength = longestMatch(strstart, hashHead, prevLength, lookahead);
      if (matchLength === MIN_MATCH && strstart - matchStart > TOO_FAR) matchLength = MIN_MATCH - 1;
    }
    if (prevLength >= MIN_MATCH && matchLength <= prevLength) {
      // The previous match wins: emit it, then insert the strings it covers.
      const maxInsert = strstart + lookahead - MIN_MATCH;
      const dist = strstart - 1 - prevMatch;
      const lc = prevLength - MIN_MATCH;
      syms[count++] = (dist << 8) | lc;
      lFreq[LENGTH_CODE[lc]! + LITERALS + 1]!++;
      const d = dist - 1;
      dFreq[d < 256 ? DIST_CODE[d]! : DIST_CODE[256 + (d >> 7)]!]!++;
      lookahead -= prevLength - 1;
      let left = prevLength - 2;
      do {
        if (++strstart <= maxInsert) {
          hash = ((hash << HASH_SHIFT) ^ win[strstart + 2]!) & HASH_MASK;
          const old = head[hash]! - gen;
          prev[strstart] = Math.max(old, 0);
          head[hash] = gen + strstart;
        }
      } while (--left !== 0);
      matchAvailable = false;
      matchLength = MIN_MATCH - 1;
      strstart++;
    } else if (matchAvailable) {
      const c = win[strstart - 1]!;
      syms[count++] = c;
      lFreq[c]!++;
      strstart++;
      lookahead--;
    } else {
      matchAvailable = true;
      strstart++;
      lookahead--;
    }
  }
  if (matchAvailable) {
    const c = win[strstart - 1]!;
    syms[count++] = c;
    lFreq[c]!++;
  }
  return count;
}

/** deflate.c longest_match (the portable byte loop); sets matchStart, returns the length. */
function longestMatch(scan: number, firstMatch: number, prevLength: number, lookahead: number): number {
  const win = window;
  let curMatch = firstMatch;
  let chainLength = prevLength >= GOOD_LENGTH ? MAX_CHAIN >> 2 : MAX_CHAIN;
  let bestLen = prevLength;
  const niceMatch = Math.min(NICE_LENGTH, lookahead);
  const scan0 = win[scan]!;
  const scan1 = win[scan + 1]!;
  let scanEnd1 = win[scan + bestLen - 1]!;
  let scanEnd = win[scan + bestLen]!;
  for (;;) {
    const match = curMatch;
    if (
      win[match + bestLen] === scanEnd &&
      win[match + bestLen - 1] === scanEnd1 &&
      win[match] === scan0 &&
      win[match + 1] === scan1
    ) {
      // Byte 2 is equal whenever bytes 0 and 1 are: the hash keys are equal (zlib's comment).
      let len = 3;
      while (len < MAX_MATCH && win[scan + len] === win[match + len]) len++;
      if (len > bestLen) {
        matchStart = match;
        bestLen = len;
        if (len >= niceMatch) break;
        scanEnd1 = win[scan + bestLen - 1]!;
        scanEnd = win[scan + bestLen]!;
      }
    }
    curMatch = prev[curMatch]!;
    if (curMatch <= 0 || --chainLength === 0) break;
  }
  return Math.min(bestLen, lookahead);
}
