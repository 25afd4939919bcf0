/**
 * trees.c of zlib 1.2.x, the part deflate needs for one block: the Huffman trees of a block built
 * exactly as zlib builds them (heap order, depth tie-breaks, 15-bit and 7-bit length limits with
 * zlib's overflow repair), so the bytes match Python's zlib.
 *
 * Speed note (issue 13): each heap entry packs a node's sort key and its number into one integer,
 * (freq << 5 | depth) << 10 | node, so the heap moves one value per step and compares keys
 * without looking anything up. zlib compares only the key (frequency, then depth, `<=`), so the
 * comparisons shift the node away: the heap orders ties exactly as zlib's does.
 */
import {
  assignCodes,
  BL_CODES,
  BL_ORDER,
  D_CODES,
  END_BLOCK,
  EXTRA_BLBITS,
  EXTRA_DBITS,
  EXTRA_LBITS,
  HEAP_SIZE,
  L_CODES,
  LITERALS,
  MAX_BITS,
  newTree,
  REP_3_6,
  REPZ_3_10,
  REPZ_11_138,
  STATIC_D,
  STATIC_L,
  type Tree,
} from './zlib-tables.js';

export interface TreeKind {
  elems: number;
  extraBase: number;
  extra: Uint8Array;
  maxLength: number;
  /** The fixed-code lengths (for static_len), or null for the bit-length tree. */
  staticLen: Uint16Array | null;
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

/** Bits of a packed heap entry below the key: the node number (< HEAP_SIZE = 573). */
const NODE_BITS = 10;
const NODE_MASK = (1 << NODE_BITS) - 1;
/**
 * Bits of the key below the frequency: the depth. A Huffman tree over at most 16,384 symbols is
 * at most 20 deep (depth d needs a total frequency of Fibonacci(d + 2)), so 5 bits hold it, and a
 * frequency of up to 2^15 keeps the packed entry below 2^30.
 */
const DEPTH_BITS = 5;
const DEPTH_MASK = (1 << DEPTH_BITS) - 1;
/** A recorded run (BlockTrees.runs): the bit-length symbol below, its extra bits' value above. */
export const RUN_EXTRA_SHIFT = 5;

/** One block's literal/length, distance and bit-length trees, with zlib's bit counts. */
export class BlockTrees {
  readonly lTree = newTree(HEAP_SIZE);
  readonly dTree = newTree(2 * D_CODES + 1);
  readonly blTree = newTree(2 * BL_CODES + 1);
  /** heap[1..heapLen]: packed entries (see NODE_BITS). */
  private readonly heap = new Int32Array(HEAP_SIZE);
  /** order[heapMax..HEAP_SIZE-1]: nodes as they left the heap, the root first (zlib keeps
   * these at the top of its heap array). */
  private readonly order = new Int32Array(HEAP_SIZE);
  private readonly blCount = new Uint16Array(MAX_BITS + 1);
  private heapMax = 0;
  /** Bits of the block with these dynamic trees (opt_len) and with the fixed ones (static_len). */
  optLen = 0;
  staticLen = 0;
  /** The tree description's bit-length codes in sending order (scanTree), and their count. */
  readonly runs = new Int32Array(L_CODES + D_CODES + 2);
  runCount = 0;

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
    const order = this.order;
    const elems = kind.elems;
    let maxCode = -1;
    let heapLen = 0;
    for (let n = 0; n < elems; n++) {
      const f = freq[n]!;
      if (f !== 0) {
        heap[++heapLen] = (f << (DEPTH_BITS + NODE_BITS)) | n;
        maxCode = n;
      } else {
        len[n] = 0;
      }
    }
    // The format needs at least two codes; zlib adds fake ones of frequency 1.
    while (heapLen < 2) {
      const node = maxCode < 2 ? ++maxCode : 0;
      heap[++heapLen] = (1 << (DEPTH_BITS + NODE_BITS)) | node;
      freq[node] = 1;
      this.optLen--;
      if (kind.staticLen) this.staticLen -= kind.staticLen[node]!;
    }
    tree.maxCode = maxCode;
    for (let k = heapLen >> 1; k >= 1; k--) downHeap(heap, k, heapLen);
    let heapMax = HEAP_SIZE;
    let node = elems;
    do {
      // pqremove, then the next smallest stays on top to be replaced by the new node.
      const pn = heap[1]!;
      heap[1] = heap[heapLen--]!;
      downHeap(heap, 1, heapLen);
      const pm = heap[1]!;
      const n = pn & NODE_MASK;
      const m = pm & NODE_MASK;
      order[--heapMax] = n;
      order[--heapMax] = m;
      const kn = pn >>> NODE_BITS;
      const km = pm >>> NODE_BITS;
      const dn = kn & DEPTH_MASK;
      const dm = km & DEPTH_MASK;
      const sum = (kn >>> DEPTH_BITS) + (km >>> DEPTH_BITS);
      dad[n] = node;
      dad[m] = node;
      heap[1] = (((sum << DEPTH_BITS) | (Math.max(dn, dm) + 1)) << NODE_BITS) | node;
      node++;
      downHeap(heap, 1, heapLen);
    } while (heapLen >= 2);
    order[--heapMax] = heap[1]! & NODE_MASK;
    this.heapMax = heapMax;
    this.genBitlen(tree, kind);
    assignCodes(tree, maxCode, this.blCount);
  }

  /** trees.c gen_bitlen, overflow repair included. */
  private genBitlen(tree: Tree, kind: TreeKind): void {
    const { freq, len, dad, maxCode } = tree;
    const order = this.order;
    const blCount = this.blCount;
    const { extra, extraBase, maxLength, staticLen } = kind;
    blCount.fill(0);
    len[order[this.heapMax]!] = 0;
    let overflow = 0;
    let optLen = this.optLen;
    let staticBits = this.staticLen;
    let h = this.heapMax + 1;
    for (; h < HEAP_SIZE; h++) {
      const n = order[h]!;
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
      optLen += f * (bits + xbits);
      if (staticLen) staticBits += f * (staticLen[n]! + xbits);
    }
    this.staticLen = staticBits;
    if (overflow !== 0) {
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
          const m = order[--h]!;
          if (m > maxCode) continue;
          if (len[m] !== bits) {
            optLen += (bits - len[m]!) * freq[m]!;
            len[m] = bits;
          }
          count--;
        }
      }
    }
    this.optLen = optLen;
  }

  /**
   * trees.c scan_tree: counts the run-length codes of one tree's code lengths, and records each
   * code as send_tree would send it (bit-length symbol | extra value << 5), so the writer replays
   * the list instead of walking all 316 lengths a second time.
   */
  private scanTree(tree: Tree, maxCode: number): void {
    const len = tree.len;
    const blFreq = this.blTree.freq;
    const runs = this.runs;
    let runCount = this.runCount;
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
      if (count < minCount) {
        blFreq[curlen]! += count;
        do runs[runCount++] = curlen;
        while (--count !== 0);
      } else if (curlen !== 0) {
        if (curlen !== prevlen) {
          blFreq[curlen]!++;
          runs[runCount++] = curlen;
          count--;
        }
        blFreq[REP_3_6]!++;
        runs[runCount++] = REP_3_6 | ((count - 3) << RUN_EXTRA_SHIFT);
      } else if (count <= 10) {
        blFreq[REPZ_3_10]!++;
        runs[runCount++] = REPZ_3_10 | ((count - 3) << RUN_EXTRA_SHIFT);
      } else {
        blFreq[REPZ_11_138]!++;
        runs[runCount++] = REPZ_11_138 | ((count - 11) << RUN_EXTRA_SHIFT);
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
    this.runCount = runCount;
  }

  buildBlTree(): number {
    this.runCount = 0;
    this.scanTree(this.lTree, this.lTree.maxCode);
    this.scanTree(this.dTree, this.dTree.maxCode);
    this.buildTree(this.blTree, BL_KIND);
    let maxBlindex = BL_CODES - 1;
    for (; maxBlindex >= 3; maxBlindex--) if (this.blTree.len[BL_ORDER[maxBlindex]!] !== 0) break;
    this.optLen += 3 * (maxBlindex + 1) + 5 + 5 + 4;
    return maxBlindex;
  }
}

/** trees.c pqdownheap over packed entries, comparing only their keys (`smaller`: <=). */
function downHeap(heap: Int32Array, kIn: number, heapLen: number): void {
  let k = kIn;
  const v = heap[k]!;
  const kv = v >>> NODE_BITS;
  let j = k << 1;
  while (j <= heapLen) {
    let hj = heap[j]!;
    if (j < heapLen) {
      const h1 = heap[j + 1]!;
      if (h1 >>> NODE_BITS <= hj >>> NODE_BITS) {
        j++;
        hj = h1;
      }
    }
    if (kv <= hj >>> NODE_BITS) break;
    heap[k] = hj;
    k = j;
    j <<= 1;
  }
  heap[k] = v;
}
