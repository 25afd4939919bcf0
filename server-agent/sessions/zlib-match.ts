/**
 * deflate.c's lazy matcher (deflate_slow, levels 4–9) at level 6 for an input that is one block
 * and never slides the window: the LZ77 half of zlib.compress, tie-breaking included. It fills a
 * symbol buffer (literals and length/distance pairs) and the block's symbol counts.
 */
import type { BlockTrees } from './zlib-trees.js';
import { distCode, LENGTH_CODE, LITERALS } from './zlib-tables.js';

/** Up to this size the input fits one block (16,383 symbols) and never slides the window. */
export const SMALL_INPUT_LIMIT = 16382;

export const MIN_MATCH = 3;
export const MAX_MATCH = 258;
const HASH_MASK = 0x7fff;
// Level 6 of zlib's configuration_table: good_length, max_lazy, nice_length, max_chain.
const GOOD_LENGTH = 8;
const MAX_LAZY = 16;
const NICE_LENGTH = 128;
const MAX_CHAIN = 128;
const TOO_FAR = 4096;

/** The block's symbols in order: dist 0 means a literal in lit, else lit is length - MIN_MATCH. */
export class SymbolBuffer {
  readonly dist = new Uint16Array(SMALL_INPUT_LIMIT);
  readonly lit = new Uint16Array(SMALL_INPUT_LIMIT);
  count = 0;
}

/** One matcher's reusable state; not reentrant (JavaScript runs one call at a time). */
export class LazyMatcher {
  private readonly window = new Uint8Array(SMALL_INPUT_LIMIT + MAX_MATCH + 8);
  /** Hash heads hold base + position; anything below base belongs to an earlier call (= empty). */
  private readonly head = new Int32Array(HASH_MASK + 1);
  private base = 1;
  private readonly prev = new Int32Array(SMALL_INPUT_LIMIT);
  private matchStart = 0;
  private lookahead = 0;
  private strstart = 0;
  private symbols: SymbolBuffer | null = null;
  private trees: BlockTrees | null = null;

  /** Finds the matches of `input` (at most SMALL_INPUT_LIMIT bytes) into symbols and trees. */
  run(input: Uint8Array, symbols: SymbolBuffer, trees: BlockTrees): void {
    const n = input.length;
    const win = this.window;
    win.set(input);
    // zlib zero-fills past the data (WIN_INIT); matches may read there before being clipped.
    win.fill(0, n, n + MAX_MATCH + 8);
    if (this.base > 0x3fffffff - n) {
      this.head.fill(0);
      this.base = 1;
    }
    this.symbols = symbols;
    this.trees = trees;
    symbols.count = 0;
    this.deflateSlow(n);
    this.base += n + 1;
  }

  /** deflate.c deflate_slow with all input present and Z_FINISH; INSERT_STRING inlined. */
  private deflateSlow(n: number): void {
    const win = this.window;
    const head = this.head;
    const prev = this.prev;
    const base = this.base;
    let strstart = 0;
    let lookahead = n;
    let matchAvailable = false;
    let matchLength = MIN_MATCH - 1;
    let prevLength: number;
    let prevMatch: number;
    while (lookahead !== 0) {
      let hashHead = 0;
      if (lookahead >= MIN_MATCH) {
        const h = ((win[strstart]! << 10) ^ (win[strstart + 1]! << 5) ^ win[strstart + 2]!) & HASH_MASK;
        const old = head[h]! - base;
        hashHead = Math.max(old, 0);
        prev[strstart] = hashHead;
        head[h] = base + strstart;
      }
      prevLength = matchLength;
      prevMatch = this.matchStart;
      matchLength = MIN_MATCH - 1;
      // The window never slides here, so every candidate is within MAX_DIST.
      if (hashHead !== 0 && prevLength < MAX_LAZY) {
        this.strstart = strstart;
        this.lookahead = lookahead;
        matchLength = this.longestMatch(hashHead, prevLength);
        if (matchLength === MIN_MATCH && strstart - this.matchStart > TOO_FAR) matchLength = MIN_MATCH - 1;
      }
      if (prevLength >= MIN_MATCH && matchLength <= prevLength) {
        const maxInsert = strstart + lookahead - MIN_MATCH;
        this.tallyDist(strstart - 1 - prevMatch, prevLength - MIN_MATCH);
        lookahead -= prevLength - 1;
        prevLength -= 2;
        do {
          if (++strstart <= maxInsert) {
            const h = ((win[strstart]! << 10) ^ (win[strstart + 1]! << 5) ^ win[strstart + 2]!) & HASH_MASK;
            const old = head[h]! - base;
            prev[strstart] = Math.max(old, 0);
            head[h] = base + strstart;
          }
        } while (--prevLength !== 0);
        matchAvailable = false;
        matchLength = MIN_MATCH - 1;
        strstart++;
      } else if (matchAvailable) {
        this.tallyLit(win[strstart - 1]!);
        strstart++;
        lookahead--;
      } else {
        matchAvailable = true;
        strstart++;
        lookahead--;
      }
    }
    if (matchAvailable) this.tallyLit(win[strstart - 1]!);
  }

  /** deflate.c longest_match (the portable byte loop). */
  private longestMatch(curMatchIn: number, prevLength: number): number {
    const win = this.window;
    const prev = this.prev;
    const scan = this.strstart;
    let curMatch = curMatchIn;
    let chainLength = MAX_CHAIN;
    let bestLen = prevLength;
    let niceMatch = NICE_LENGTH;
    let scanEnd1 = win[scan + bestLen - 1]!;
    let scanEnd = win[scan + bestLen]!;
    if (prevLength >= GOOD_LENGTH) chainLength >>= 2;
    if (niceMatch > this.lookahead) niceMatch = this.lookahead;
    for (;;) {
      const match = curMatch;
      if (
        win[match + bestLen] === scanEnd &&
        win[match + bestLen - 1] === scanEnd1 &&
        win[match] === win[scan] &&
        win[match + 1] === win[scan + 1]
      ) {
        // Byte 2 is equal whenever bytes 0 and 1 are: the hash keys are equal (zlib's comment).
        let len = 3;
        while (len < MAX_MATCH && win[scan + len] === win[match + len]) len++;
        if (len > bestLen) {
          this.matchStart = curMatch;
          bestLen = len;
          if (len >= niceMatch) break;
          scanEnd1 = win[scan + bestLen - 1]!;
          scanEnd = win[scan + bestLen]!;
        }
      }
      curMatch = prev[curMatch]!;
      if (curMatch <= 0 || --chainLength === 0) break;
    }
    return Math.min(bestLen, this.lookahead);
  }

  private tallyLit(c: number): void {
    const symbols = this.symbols!;
    const i = symbols.count++;
    symbols.dist[i] = 0;
    symbols.lit[i] = c;
    this.trees!.lTree.freq[c]!++;
  }

  private tallyDist(dist: number, lc: number): void {
    const symbols = this.symbols!;
    const i = symbols.count++;
    symbols.dist[i] = dist;
    symbols.lit[i] = lc;
    this.trees!.lTree.freq[LENGTH_CODE[lc]! + LITERALS + 1]!++;
    this.trees!.dTree.freq[distCode(dist - 1)]!++;
  }
}
