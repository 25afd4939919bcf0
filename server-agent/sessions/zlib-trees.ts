/**
 * trees.c of zlib 1.2.x, the part deflate needs for one block: the static tables, and the
 * Huffman trees of a block built exactly as zlib builds them (heap order, depth tie-breaks,
 * 15-bit and 7-bit length limits with zlib's overflow repair), so the bytes match Python's zlib.
 */
export const LITERALS = 256;
export const END_BLOCK = 256;
export const L_CODES = 286;
export const D_CODES = 30;
export const BL_CODES = 19;
export const HEAP_SIZE = 2 * L_CODES + 1;
export const MAX_BITS = 15;
export const REP_3_6 = 16;
export const REPZ_3_10 = 17;
export const REPZ_11_138 = 18;

export const EXTRA_LBITS = Uint8Array.of(
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
export const EXTRA_DBITS = Uint8Array.of(
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
export const EXTRA_BLBITS = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 7);
export const BL_ORDER = Uint8Array.of(16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15);

// trees.c tr_static_init: length and distance codes.
export const BASE_LENGTH = new Uint16Array(29);
export const LENGTH_CODE = new Uint8Array(256);
export const BASE_DIST = new Uint16Array(D_CODES);
export const DIST_CODE = new Uint8Array(512);
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
export const distCode = (dist: number): number =>
  dist < 256 ? DIST_CODE[dist]! : DIST_CODE[256 + (dist >> 7)]!;

export function reverseBits(code: number, len: number): number {
  let res = 0;
  do {
    res |= code & 1;
    code >>>= 1;
    res <<= 1;
  } while (--len > 0);
  return res >>> 1;
}

export interface Tree {
  freq: Int32Array;
  len: Uint16Array;
  code: Uint16Array;
  dad: Int32Array;
  maxCode: number;
}
export interface TreeKind {
  elems: number;
  extraBase: number;
  extra: Uint8Array;
  maxLength: number;
  /** The fixed-code lengths (for static_len), or null for the bit-length tree. */
  staticLen: Uint16Array | null;
}

export const newTree = (size: number): Tree => ({
  freq: new Int32Array(size),
  len: new Uint16Array(size),
  code: new Uint16Array(size),
  dad: new Int32Array(size),
  maxCode: 0,
});

// The fixed Huffman codes of RFC 1951 §3.2.6, built as trees.c does.
export const STATIC_L = newTree(L_CODES + 2);
export const STATIC_D = newTree(D_CODES);
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

export function assignCodes(tree: Tree, maxCode: number, blCount: Uint16Array): void {
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

export const L_KIND: TreeKind = {
  elems: L_CODES,
  extraBase: LITERALS + 1,
  extra: EXTRA_LBITS,
  maxLength: MAX_BITS,
  staticLen: STATIC_L.len,
};
export const D_KIND: TreeKind = {
  elems: D_CODES,
  extraBase: 0,
  extra: EXTRA_DBITS,
  maxLength: MAX_BITS,
  staticLen: STATIC_D.len,
};
export const BL_KIND: TreeKind = {
  elems: BL_CODES,
  extraBase: 0,
  extra: EXTRA_BLBITS,
  maxLength: 7,
  staticLen: null,
};

/** One block's literal/length, distance and bit-length trees, with zlib's bit counts. */
export class BlockTrees {
  readonly lTree = newTree(HEAP_SIZE);
  readonly dTree = newTree(2 * D_CODES + 1);
  readonly blTree = newTree(2 * BL_CODES + 1);
  private readonly heap = new Int32Array(HEAP_SIZE);
  /** Per node: frequency << 8 | depth (depth stays far below 256). */
  private readonly heapKey = new Int32Array(HEAP_SIZE);
  private readonly blCount = new Uint16Array(MAX_BITS + 1);
  private heapMax = 0;
  /** Bits of the block with these dynamic trees (opt_len) and with the fixed ones (static_len). */
  optLen = 0;
  staticLen = 0;

  /** init_block: empty counts, END_BLOCK once. */
  reset(): void {
    this.lTree.freq.fill(0, 0, L_CODES);
    this.dTree.freq.fill(0, 0, D_CODES);
    this.blTree.freq.fill(0, 0, BL_CODES);
    this.lTree.freq[END_BLOCK] = 1;
    this.optLen = 0;
    this.staticLen = 0;
  }

  /** trees.c build_tree: Huffman code lengths limited to kind.maxLength, then the codes. */
  buildTree(tree: Tree, kind: TreeKind): void {
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

  buildBlTree(): number {
    this.scanTree(this.lTree, this.lTree.maxCode);
    this.scanTree(this.dTree, this.dTree.maxCode);
    this.buildTree(this.blTree, BL_KIND);
    let maxBlindex = BL_CODES - 1;
    for (; maxBlindex >= 3; maxBlindex--) if (this.blTree.len[BL_ORDER[maxBlindex]!] !== 0) break;
    this.optLen += 3 * (maxBlindex + 1) + 5 + 5 + 4;
    return maxBlindex;
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
