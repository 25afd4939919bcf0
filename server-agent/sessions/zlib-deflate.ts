/**
 * Python's `zlib.compress(data)` byte for byte (vanilla zlib: level 6, 32 KiB window, memLevel 8),
 * for inputs of up to SMALL_INPUT_LIMIT bytes, which is every session a cookie can carry and
 * nearly every one a database holds. Why not node:zlib: Node bundles Chromium's zlib fork, whose
 * match finder differs, so it writes different (equally valid) bytes for most inputs and Django's
 * signed value would differ; and each deflateSync call sets up and clears ~270 KB of state, which
 * costs more than compressing a 300-byte session. This keeps its tables between calls and clears
 * the hash heads by generation instead of by memset.
 *
 * Inputs this small are one final block with no window slide, so only zlib's deflate_slow (the
 * lazy matcher of levels 4–9) and trees.c's block encoder are needed; both are followed exactly,
 * tie-breaking included, and checked against Python's output in test/interop/zlib-python.test.ts.
 */

import {
  BASE_DIST,
  BASE_LENGTH,
  BL_ORDER,
  BlockTrees,
  D_KIND,
  distCode,
  END_BLOCK,
  EXTRA_DBITS,
  EXTRA_LBITS,
  L_KIND,
  LENGTH_CODE,
  LITERALS,
  REP_3_6,
  REPZ_3_10,
  REPZ_11_138,
  STATIC_D,
  STATIC_L,
  type Tree,
} from './zlib-trees.js';

/** Up to this size the input fits one block (16,383 symbols) and never slides the window. */
export const SMALL_INPUT_LIMIT = 16382;

const MIN_MATCH = 3;
const MAX_MATCH = 258;
const HASH_MASK = 0x7fff;
// Level 6 of zlib's configuration_table: good_length, max_lazy, nice_length, max_chain.
const GOOD_LENGTH = 8;
const MAX_LAZY = 16;
const NICE_LENGTH = 128;
const MAX_CHAIN = 128;
const TOO_FAR = 4096;

/** One compressor's reusable state; not reentrant (JavaScript runs one call at a time). */
class SmallDeflate {
  private readonly window = new Uint8Array(SMALL_INPUT_LIMIT + MAX_MATCH + 8);
  /** Hash heads hold base + position; anything below base belongs to an earlier call (= empty). */
  private readonly head = new Int32Array(HASH_MASK + 1);
  private base = 1;
  private readonly prev = new Int32Array(SMALL_INPUT_LIMIT);
  private readonly symDist = new Uint16Array(SMALL_INPUT_LIMIT);
  private readonly symLit = new Uint16Array(SMALL_INPUT_LIMIT);
  private symCount = 0;
  private readonly trees = new BlockTrees();
  private matchStart = 0;
  private lookahead = 0;
  private strstart = 0;
  private out = new Uint8Array(SMALL_INPUT_LIMIT + 64);
  private outPos = 0;
  private bitBuf = 0;
  private bitCount = 0;

  /** The zlib stream, or null when it would not be shorter than `shorterThan` bytes. */
  compress(input: Uint8Array, shorterThan: number): Uint8Array | null {
    const n = input.length;
    const win = this.window;
    win.set(input);
    // zlib zero-fills past the data (WIN_INIT); matches may read there before being clipped.
    win.fill(0, n, n + MAX_MATCH + 8);
    if (this.base > 0x3fffffff - n) {
      this.head.fill(0);
      this.base = 1;
    }
    this.trees.reset();
    this.symCount = 0;
    this.deflateSlow(n);
    this.base += n + 1;
    return this.flushBlock(input, n, shorterThan);
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
    const i = this.symCount++;
    this.symDist[i] = 0;
    this.symLit[i] = c;
    this.trees.lTree.freq[c]!++;
  }

  private tallyDist(dist: number, lc: number): void {
    const i = this.symCount++;
    this.symDist[i] = dist;
    this.symLit[i] = lc;
    this.trees.lTree.freq[LENGTH_CODE[lc]! + LITERALS + 1]!++;
    this.trees.dTree.freq[distCode(dist - 1)]!++;
  }

  /** trees.c _tr_flush_block for the last (only) block, then the zlib header and Adler-32. */
  private flushBlock(input: Uint8Array, n: number, shorterThan: number): Uint8Array | null {
    this.trees.buildTree(this.trees.lTree, L_KIND);
    this.trees.buildTree(this.trees.dTree, D_KIND);
    const maxBlindex = this.trees.buildBlTree();
    let optLenb = (this.trees.optLen + 3 + 7) >>> 3;
    const staticLenb = (this.trees.staticLen + 3 + 7) >>> 3;
    if (staticLenb <= optLenb) optLenb = staticLenb;
    // A stored block is n + 11 bytes in all: never shorter than the input, so Django keeps it raw.
    if (n + 4 <= optLenb || optLenb + 6 >= shorterThan) return null;
    if (this.out.length < optLenb + 16) this.out = new Uint8Array(optLenb + 64);
    const out = this.out;
    out[0] = 0x78;
    out[1] = 0x9c;
    this.outPos = 2;
    this.bitBuf = 0;
    this.bitCount = 0;
    if (staticLenb === optLenb) {
      this.sendBits((1 << 1) + 1, 3);
      this.compressBlock(STATIC_L, STATIC_D);
    } else {
      this.sendBits((2 << 1) + 1, 3);
      this.sendAllTrees(this.trees.lTree.maxCode + 1, this.trees.dTree.maxCode + 1, maxBlindex + 1);
      this.compressBlock(this.trees.lTree, this.trees.dTree);
    }
    if (this.bitCount > 0) out[this.outPos++] = this.bitBuf & 0xff;
    const adler = adler32(input);
    let pos = this.outPos;
    out[pos++] = adler >>> 24;
    out[pos++] = (adler >>> 16) & 0xff;
    out[pos++] = (adler >>> 8) & 0xff;
    out[pos++] = adler & 0xff;
    return pos < shorterThan ? out.subarray(0, pos) : null;
  }

  private sendBits(value: number, length: number): void {
    this.bitBuf |= value << this.bitCount;
    this.bitCount += length;
    while (this.bitCount >= 8) {
      this.out[this.outPos++] = this.bitBuf & 0xff;
      this.bitBuf >>>= 8;
      this.bitCount -= 8;
    }
  }

  /** trees.c compress_block; the bit buffer lives in locals (written back at the end). */
  private compressBlock(lt: Tree, dt: Tree): void {
    const lcode = lt.code;
    const llen = lt.len;
    const dcode = dt.code;
    const dlen = dt.len;
    const symDist = this.symDist;
    const symLit = this.symLit;
    const out = this.out;
    let pos = this.outPos;
    let buf = this.bitBuf;
    let count = this.bitCount;
    const end = this.symCount;
    for (let i = 0; i < end; i++) {
      let dist = symDist[i]!;
      let lc = symLit[i]!;
      if (dist === 0) {
        buf |= lcode[lc]! << count;
        count += llen[lc]!;
      } else {
        // A match is four fields of up to 15 + 5 + 15 + 13 bits: flush after each so the
        // buffer stays within 31 bits.
        let code = LENGTH_CODE[lc]!;
        buf |= lcode[code + LITERALS + 1]! << count;
        count += llen[code + LITERALS + 1]!;
        if (count >= 16) {
          out[pos++] = buf & 0xff;
          out[pos++] = (buf >>> 8) & 0xff;
          buf >>>= 16;
          count -= 16;
        }
        let extra = EXTRA_LBITS[code]!;
        if (extra !== 0) {
          lc -= BASE_LENGTH[code]!;
          buf |= lc << count;
          count += extra;
        }
        if (count >= 16) {
          out[pos++] = buf & 0xff;
          out[pos++] = (buf >>> 8) & 0xff;
          buf >>>= 16;
          count -= 16;
        }
        dist--;
        code = distCode(dist);
        buf |= dcode[code]! << count;
        count += dlen[code]!;
        extra = EXTRA_DBITS[code]!;
        if (extra !== 0) {
          if (count >= 16) {
            out[pos++] = buf & 0xff;
            out[pos++] = (buf >>> 8) & 0xff;
            buf >>>= 16;
            count -= 16;
          }
          dist -= BASE_DIST[code]!;
          buf |= dist << count;
          count += extra;
        }
      }
      if (count >= 16) {
        out[pos++] = buf & 0xff;
        out[pos++] = (buf >>> 8) & 0xff;
        buf >>>= 16;
        count -= 16;
      }
    }
    this.outPos = pos;
    this.bitBuf = buf;
    this.bitCount = count;
    this.sendBits(lcode[END_BLOCK]!, llen[END_BLOCK]!);
  }

  /** trees.c send_tree: the same walk as scanTree, writing the codes. */
  private sendTree(tree: Tree, maxCode: number): void {
    const len = tree.len;
    const blCode = this.trees.blTree.code;
    const blLen = this.trees.blTree.len;
    let prevlen = -1;
    let nextlen = len[0]!;
    let count = 0;
    let maxCount = 7;
    let minCount = 4;
    if (nextlen === 0) {
      maxCount = 138;
      minCount = 3;
    }
    for (let n = 0; n <= maxCode; n++) {
      const curlen = nextlen;
      nextlen = len[n + 1]!;
      if (++count < maxCount && curlen === nextlen) continue;
      if (count < minCount) {
        do this.sendBits(blCode[curlen]!, blLen[curlen]!);
        while (--count !== 0);
      } else if (curlen !== 0) {
        if (curlen !== prevlen) {
          this.sendBits(blCode[curlen]!, blLen[curlen]!);
          count--;
        }
        this.sendBits(blCode[REP_3_6]!, blLen[REP_3_6]!);
        this.sendBits(count - 3, 2);
      } else if (count <= 10) {
        this.sendBits(blCode[REPZ_3_10]!, blLen[REPZ_3_10]!);
        this.sendBits(count - 3, 3);
      } else {
        this.sendBits(blCode[REPZ_11_138]!, blLen[REPZ_11_138]!);
        this.sendBits(count - 11, 7);
      }
      count = 0;
      prevlen = curlen;
      if (nextlen === 0) {
        maxCount = 138;
        minCount = 3;
      } else if (curlen === nextlen) {
        maxCount = 6;
        minCount = 3;
      } else {
        maxCount = 7;
        minCount = 4;
      }
    }
  }

  private sendAllTrees(lcodes: number, dcodes: number, blcodes: number): void {
    this.sendBits(lcodes - 257, 5);
    this.sendBits(dcodes - 1, 5);
    this.sendBits(blcodes - 4, 4);
    for (let rank = 0; rank < blcodes; rank++) this.sendBits(this.trees.blTree.len[BL_ORDER[rank]!]!, 3);
    this.sendTree(this.trees.lTree, lcodes - 1);
    this.sendTree(this.trees.dTree, dcodes - 1);
  }
}

function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  const n = data.length;
  let i = 0;
  while (i < n) {
    // 5552 bytes is the most that cannot overflow before the modulo (zlib's NMAX).
    const end = Math.min(i + 5552, n);
    for (; i < end; i++) {
      a += data[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

const small = new SmallDeflate();

/**
 * Python's zlib.compress(input) when it is shorter than `shorterThan` bytes, else null (Django's
 * "compress only if it saves something"). Inputs above SMALL_INPUT_LIMIT return undefined: the
 * caller compresses those another way. The result is a view of a buffer the next call reuses:
 * read it before compressing again (compressSmall copies).
 */
export function compressSmallView(input: Uint8Array, shorterThan: number): Uint8Array | null | undefined {
  if (input.length > SMALL_INPUT_LIMIT) return undefined;
  if (input.length < MIN_MATCH) return null;
  return small.compress(input, shorterThan);
}

/** compressSmallView with a copy of the bytes the caller may keep. */
export function compressSmall(input: Uint8Array, shorterThan: number): Uint8Array | null | undefined {
  const view = compressSmallView(input, shorterThan);
  return view ? view.slice() : view;
}
