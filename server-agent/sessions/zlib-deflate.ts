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

const LITERALS = 256;
const END_BLOCK = 256;
const L_CODES = 286;
const D_CODES = 30;
const BL_CODES = 19;
const HEAP_SIZE = 2 * L_CODES + 1;
const MAX_BITS = 15;
const REP_3_6 = 16;
const REPZ_3_10 = 17;
const REPZ_11_138 = 18;

const EXTRA_LBITS = Uint8Array.of(
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  1,
  1,
  1,
  1,
  2,
  2,
  2,
  2,
  3,
  3,
  3,
  3,
  4,
  4,
  4,
  4,
  5,
  5,
  5,
  5,
  0,
);
const EXTRA_DBITS = Uint8Array.of(
  0,
  0,
  0,
  0,
  1,
  1,
  2,
  2,
  3,
  3,
  4,
  4,
  5,
  5,
  6,
  6,
  7,
  7,
  8,
  8,
  9,
  9,
  10,
  10,
  11,
  11,
  12,
  12,
  13,
  13,
);
const EXTRA_BLBITS = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 7);
const BL_ORDER = Uint8Array.of(16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15);

// trees.c tr_static_init: length and distance codes.
const BASE_LENGTH = new Uint16Array(29);
const LENGTH_CODE = new Uint8Array(256);
const BASE_DIST = new Uint16Array(D_CODES);
const DIST_CODE = new Uint8Array(512);
{
  let length = 0;
  let code = 0;
  for (; code < 28; code++) {
    BASE_LENGTH[code] = length;
    for (let n = 0; n < 1 << EXTRA_LBITS[code]!; n++) LENGTH_CODE[length++] = code;
  }
  LENGTH_CODE[length - 1] = code;
  let dist = 0;
  for (code = 0; code < 16; code++) {
    BASE_DIST[code] = dist;
    for (let n = 0; n < 1 << EXTRA_DBITS[code]!; n++) DIST_CODE[dist++] = code;
  }
  dist >>= 7;
  for (; code < D_CODES; code++) {
    BASE_DIST[code] = dist << 7;
    for (let n = 0; n < 1 << (EXTRA_DBITS[code]! - 7); n++) DIST_CODE[256 + dist++] = code;
  }
}
const distCode = (dist: number): number => (dist < 256 ? DIST_CODE[dist]! : DIST_CODE[256 + (dist >> 7)]!);

function reverseBits(code: number, len: number): number {
  let res = 0;
  do {
    res |= code & 1;
    code >>>= 1;
    res <<= 1;
  } while (--len > 0);
  return res >>> 1;
}

interface Tree {
  freq: Int32Array;
  len: Uint16Array;
  code: Uint16Array;
  dad: Int32Array;
  maxCode: number;
}
interface TreeKind {
  elems: number;
  extraBase: number;
  extra: Uint8Array;
  maxLength: number;
  /** The fixed-code lengths (for static_len), or null for the bit-length tree. */
  staticLen: Uint16Array | null;
}

const newTree = (size: number): Tree => ({
  freq: new Int32Array(size),
  len: new Uint16Array(size),
  code: new Uint16Array(size),
  dad: new Int32Array(size),
  maxCode: 0,
});

// The fixed Huffman codes of RFC 1951 §3.2.6, built as trees.c does.
const STATIC_L = newTree(L_CODES + 2);
const STATIC_D = newTree(D_CODES);
{
  const count = new Uint16Array(MAX_BITS + 1);
  for (let n = 0; n < 288; n++) {
    const bits = n < 144 ? 8 : n < 256 ? 9 : n < 280 ? 7 : 8;
    STATIC_L.len[n] = bits;
    count[bits]!++;
  }
  assignCodes(STATIC_L, L_CODES + 1, count);
  for (let n = 0; n < D_CODES; n++) {
    STATIC_D.len[n] = 5;
    STATIC_D.code[n] = reverseBits(n, 5);
  }
}

function assignCodes(tree: Tree, maxCode: number, blCount: Uint16Array): void {
  const next = new Uint16Array(MAX_BITS + 1);
  let code = 0;
  for (let bits = 1; bits <= MAX_BITS; bits++) {
    code = (code + blCount[bits - 1]!) << 1;
    next[bits] = code;
  }
  for (let n = 0; n <= maxCode; n++) {
    const len = tree.len[n]!;
    if (len !== 0) tree.code[n] = reverseBits(next[len]!++, len);
  }
}

const L_KIND: TreeKind = {
  elems: L_CODES,
  extraBase: LITERALS + 1,
  extra: EXTRA_LBITS,
  maxLength: MAX_BITS,
  staticLen: STATIC_L.len,
};
const D_KIND: TreeKind = {
  elems: D_CODES,
  extraBase: 0,
  extra: EXTRA_DBITS,
  maxLength: MAX_BITS,
  staticLen: STATIC_D.len,
};
const BL_KIND: TreeKind = {
  elems: BL_CODES,
  extraBase: 0,
  extra: EXTRA_BLBITS,
  maxLength: 7,
  staticLen: null,
};

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
  private readonly lTree = newTree(HEAP_SIZE);
  private readonly dTree = newTree(2 * D_CODES + 1);
  private readonly blTree = newTree(2 * BL_CODES + 1);
  private readonly heap = new Int32Array(HEAP_SIZE);
  /** Per node: frequency << 8 | depth (depth stays far below 256). */
  private readonly heapKey = new Int32Array(HEAP_SIZE);
  private readonly blCount = new Uint16Array(MAX_BITS + 1);
  private heapMax = 0;
  private optLen = 0;
  private staticLen = 0;
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
    const lf = this.lTree.freq;
    const df = this.dTree.freq;
    lf.fill(0, 0, L_CODES);
    df.fill(0, 0, D_CODES);
    this.blTree.freq.fill(0, 0, BL_CODES);
    lf[END_BLOCK] = 1;
    this.optLen = 0;
    this.staticLen = 0;
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
    this.lTree.freq[c]!++;
  }

  private tallyDist(dist: number, lc: number): void {
    const i = this.symCount++;
    this.symDist[i] = dist;
    this.symLit[i] = lc;
    this.lTree.freq[LENGTH_CODE[lc]! + LITERALS + 1]!++;
    this.dTree.freq[distCode(dist - 1)]!++;
  }

  /** trees.c _tr_flush_block for the last (only) block, then the zlib header and Adler-32. */
  private flushBlock(input: Uint8Array, n: number, shorterThan: number): Uint8Array | null {
    this.buildTree(this.lTree, L_KIND);
    this.buildTree(this.dTree, D_KIND);
    const maxBlindex = this.buildBlTree();
    let optLenb = (this.optLen + 3 + 7) >>> 3;
    const staticLenb = (this.staticLen + 3 + 7) >>> 3;
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
      this.sendAllTrees(this.lTree.maxCode + 1, this.dTree.maxCode + 1, maxBlindex + 1);
      this.compressBlock(this.lTree, this.dTree);
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

  /** trees.c build_tree: Huffman code lengths limited to kind.maxLength, then the codes. */
  private buildTree(tree: Tree, kind: TreeKind): void {
    const freq = tree.freq;
    const len = tree.len;
    const dad = tree.dad;
    const heap = this.heap;
    const elems = kind.elems;
    let maxCode = -1;
    let heapLen = 0;
    for (let n = 0; n < elems; n++) {
      if (freq[n] !== 0) {
        heap[++heapLen] = maxCode = n;
      } else {
        len[n] = 0;
      }
    }
    // The format needs at least two codes; zlib adds fake ones of frequency 1.
    while (heapLen < 2) {
      const node = maxCode < 2 ? ++maxCode : 0;
      heap[++heapLen] = node;
      freq[node] = 1;
      this.optLen--;
      if (kind.staticLen) this.staticLen -= kind.staticLen[node]!;
    }
    tree.maxCode = maxCode;
    // One integer per node orders the heap as zlib's `smaller` does: frequency, then depth.
    const key = this.heapKey;
    for (let i = 1; i <= heapLen; i++) key[heap[i]!] = freq[heap[i]!]! << 8;
    for (let n = heapLen >> 1; n >= 1; n--) downHeap(heap, key, n, heapLen);
    let heapMax = HEAP_SIZE;
    let node = elems;
    do {
      const n = heap[1]!;
      heap[1] = heap[heapLen--]!;
      downHeap(heap, key, 1, heapLen);
      const m = heap[1]!;
      heap[--heapMax] = n;
      heap[--heapMax] = m;
      const kn = key[n]!;
      const km = key[m]!;
      const dn = kn & 0xff;
      const dm = km & 0xff;
      key[node] = (((kn >>> 8) + (km >>> 8)) << 8) | (Math.max(dn, dm) + 1);
      dad[n] = node;
      dad[m] = node;
      heap[1] = node++;
      downHeap(heap, key, 1, heapLen);
    } while (heapLen >= 2);
    heap[--heapMax] = heap[1]!;
    this.heapMax = heapMax;
    this.genBitlen(tree, kind);
    assignCodes(tree, maxCode, this.blCount);
  }

  /** trees.c gen_bitlen, overflow repair included. */
  private genBitlen(tree: Tree, kind: TreeKind): void {
    const { freq, len, dad, maxCode } = tree;
    const heap = this.heap;
    const blCount = this.blCount;
    const { extra, extraBase, maxLength, staticLen } = kind;
    blCount.fill(0);
    len[heap[this.heapMax]!] = 0;
    let overflow = 0;
    let h = this.heapMax + 1;
    for (; h < HEAP_SIZE; h++) {
      const n = heap[h]!;
      let bits = len[dad[n]!]! + 1;
      if (bits > maxLength) {
        bits = maxLength;
        overflow++;
      }
      len[n] = bits;
      if (n > maxCode) continue;
      blCount[bits]!++;
      const xbits = n >= extraBase ? extra[n - extraBase]! : 0;
      const f = freq[n]!;
      this.optLen += f * (bits + xbits);
      if (staticLen) this.staticLen += f * (staticLen[n]! + xbits);
    }
    if (overflow === 0) return;
    do {
      let bits = maxLength - 1;
      while (blCount[bits] === 0) bits--;
      blCount[bits]!--;
      blCount[bits + 1]! += 2;
      blCount[maxLength]!--;
      overflow -= 2;
    } while (overflow > 0);
    for (let bits = maxLength; bits !== 0; bits--) {
      let count = blCount[bits]!;
      while (count !== 0) {
        const m = heap[--h]!;
        if (m > maxCode) continue;
        if (len[m] !== bits) {
          this.optLen += (bits - len[m]!) * freq[m]!;
          len[m] = bits;
        }
        count--;
      }
    }
  }

  /** trees.c scan_tree: counts the run-length codes of one tree's code lengths. */
  private scanTree(tree: Tree, maxCode: number): void {
    const len = tree.len;
    const blFreq = this.blTree.freq;
    let prevlen = -1;
    let nextlen = len[0]!;
    let count = 0;
    let maxCount = 7;
    let minCount = 4;
    if (nextlen === 0) {
      maxCount = 138;
      minCount = 3;
    }
    len[maxCode + 1] = 0xffff; // guard
    for (let n = 0; n <= maxCode; n++) {
      const curlen = nextlen;
      nextlen = len[n + 1]!;
      if (++count < maxCount && curlen === nextlen) continue;
      if (count < minCount) blFreq[curlen]! += count;
      else if (curlen !== 0) {
        if (curlen !== prevlen) blFreq[curlen]!++;
        blFreq[REP_3_6]!++;
      } else if (count <= 10) blFreq[REPZ_3_10]!++;
      else blFreq[REPZ_11_138]!++;
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

  /** trees.c send_tree: the same walk as scanTree, writing the codes. */
  private sendTree(tree: Tree, maxCode: number): void {
    const len = tree.len;
    const blCode = this.blTree.code;
    const blLen = this.blTree.len;
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

  private buildBlTree(): number {
    this.scanTree(this.lTree, this.lTree.maxCode);
    this.scanTree(this.dTree, this.dTree.maxCode);
    this.buildTree(this.blTree, BL_KIND);
    let maxBlindex = BL_CODES - 1;
    for (; maxBlindex >= 3; maxBlindex--) if (this.blTree.len[BL_ORDER[maxBlindex]!] !== 0) break;
    this.optLen += 3 * (maxBlindex + 1) + 5 + 5 + 4;
    return maxBlindex;
  }

  private sendAllTrees(lcodes: number, dcodes: number, blcodes: number): void {
    this.sendBits(lcodes - 257, 5);
    this.sendBits(dcodes - 1, 5);
    this.sendBits(blcodes - 4, 4);
    for (let rank = 0; rank < blcodes; rank++) this.sendBits(this.blTree.len[BL_ORDER[rank]!]!, 3);
    this.sendTree(this.lTree, lcodes - 1);
    this.sendTree(this.dTree, dcodes - 1);
  }
}

/** trees.c pqdownheap, comparing the packed keys. */
function downHeap(heap: Int32Array, key: Int32Array, kIn: number, heapLen: number): void {
  let k = kIn;
  const v = heap[k]!;
  const kv = key[v]!;
  let j = k << 1;
  while (j <= heapLen) {
    let hj = heap[j]!;
    let kj = key[hj]!;
    if (j < heapLen) {
      const h1 = heap[j + 1]!;
      const k1 = key[h1]!;
      if (k1 <= kj) {
        j++;
        hj = h1;
        kj = k1;
      }
    }
    if (kv <= kj) break;
    heap[k] = hj;
    k = j;
    j <<= 1;
  }
  heap[k] = v;
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
