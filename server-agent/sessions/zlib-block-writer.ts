/**
 * The bit writer of trees.c for one block: the symbols with a pair of trees (compress_block), and
 * a dynamic block's tree description (send_all_trees, send_tree), into one reusable buffer.
 */
import type { SymbolBuffer } from './zlib-match.js';
import type { BlockTrees } from './zlib-trees.js';
import {
  BASE_DIST,
  BASE_LENGTH,
  BL_ORDER,
  distCode,
  END_BLOCK,
  EXTRA_DBITS,
  EXTRA_LBITS,
  LENGTH_CODE,
  LITERALS,
  REP_3_6,
  REPZ_3_10,
  REPZ_11_138,
  type Tree,
} from './zlib-tables.js';

export class BlockWriter {
  out: Uint8Array;
  outPos = 0;
  private bitBuf = 0;
  private bitCount = 0;

  constructor(capacity: number) {
    this.out = new Uint8Array(capacity);
  }

  /** Starts writing at `pos` into a buffer of at least `capacity` bytes (the bytes before are kept). */
  start(pos: number, capacity: number): void {
    if (this.out.length < capacity) this.out = new Uint8Array(capacity + 48);
    this.outPos = pos;
    this.bitBuf = 0;
    this.bitCount = 0;
  }

  /** Writes the last partial byte; outPos is then the end of the block. */
  flushBits(): void {
    if (this.bitCount > 0) this.out[this.outPos++] = this.bitBuf & 0xff;
    this.bitBuf = 0;
    this.bitCount = 0;
  }

  sendBits(value: number, length: number): void {
    this.bitBuf |= value << this.bitCount;
    this.bitCount += length;
    while (this.bitCount >= 8) {
      this.out[this.outPos++] = this.bitBuf & 0xff;
      this.bitBuf >>>= 8;
      this.bitCount -= 8;
    }
  }

  /** trees.c compress_block; the bit buffer lives in locals (written back at the end). */
  compressBlock(symbols: SymbolBuffer, lt: Tree, dt: Tree): void {
    const lcode = lt.code;
    const llen = lt.len;
    const dcode = dt.code;
    const dlen = dt.len;
    const symDist = symbols.dist;
    const symLit = symbols.lit;
    const out = this.out;
    let pos = this.outPos;
    let buf = this.bitBuf;
    let count = this.bitCount;
    const end = symbols.count;
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
  private sendTree(trees: BlockTrees, tree: Tree, maxCode: number): void {
    const len = tree.len;
    const blCode = trees.blTree.code;
    const blLen = trees.blTree.len;
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

  sendAllTrees(trees: BlockTrees, lcodes: number, dcodes: number, blcodes: number): void {
    this.sendBits(lcodes - 257, 5);
    this.sendBits(dcodes - 1, 5);
    this.sendBits(blcodes - 4, 4);
    for (let rank = 0; rank < blcodes; rank++) this.sendBits(trees.blTree.len[BL_ORDER[rank]!]!, 3);
    this.sendTree(trees, trees.lTree, lcodes - 1);
    this.sendTree(trees, trees.dTree, dcodes - 1);
  }
}
