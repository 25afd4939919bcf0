/**
 * The bit writer of trees.c for one block: the symbols with a pair of trees (compress_block), and
 * a dynamic block's tree description (send_all_trees, send_tree), into one reusable buffer. Bits
 * go out least significant first, as zlib's send_bits writes them; each loop keeps the bit buffer
 * in locals and writes whole bytes as soon as it has them.
 */
import { type BlockTrees, RUN_EXTRA_SHIFT } from './zlib-trees.js';

const RUN_SYMBOL_MASK = (1 << RUN_EXTRA_SHIFT) - 1;
import {
  BASE_DIST,
  BASE_LENGTH,
  BL_ORDER,
  DIST_CODE,
  END_BLOCK,
  EXTRA_BLBITS,
  EXTRA_DBITS,
  EXTRA_LBITS,
  LENGTH_CODE,
  LITERALS,
  type Tree,
} from './zlib-tables.js';

export class BlockWriter {
  /** A Buffer, so a caller can base64-encode a range of it without a view. */
  out: Buffer;
  outPos = 0;
  /** Pending bits (fewer than 8 between calls) and their count. */
  private bitBuf = 0;
  private bitCount = 0;

  constructor(capacity: number) {
    this.out = Buffer.alloc(capacity);
  }

  /** Starts writing at `pos` into a buffer of at least `capacity` bytes (the bytes before are kept). */
  start(pos: number, capacity: number): void {
    if (this.out.length < capacity) this.out = Buffer.alloc(capacity + 48);
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

  /** Up to 16 bits of value, least significant first. */
  sendBits(value: number, length: number): void {
    let buf = this.bitBuf | (value << this.bitCount);
    let count = this.bitCount + length;
    while (count >= 8) {
      this.out[this.outPos++] = buf & 0xff;
      buf >>>= 8;
      count -= 8;
    }
    this.bitBuf = buf;
    this.bitCount = count;
  }

  /**
   * trees.c compress_block: `count` symbols (zlib-match.ts's packing) with these trees, then
   * END_BLOCK. A match is four fields of up to 15 + 5 + 15 + 13 bits; whole bytes leave the
   * buffer after each field, so it never holds more than 7 + 15 bits.
   */
  compressBlock(symbols: Int32Array, count: number, lt: Tree, dt: Tree): void {
    const lcode = lt.code;
    const llen = lt.len;
    const dcode = dt.code;
    const dlen = dt.len;
    const out = this.out;
    let pos = this.outPos;
    let buf = this.bitBuf;
    let bits = this.bitCount;
    for (let i = 0; i < count; i++) {
      const sym = symbols[i]!;
      if (sym < 256) {
        buf |= lcode[sym]! << bits;
        bits += llen[sym]!;
      } else {
        let lc = sym & 0xff;
        let dist = (sym >>> 8) - 1;
        let code = LENGTH_CODE[lc]!;
        buf |= lcode[code + LITERALS + 1]! << bits;
        bits += llen[code + LITERALS + 1]!;
        let extra = EXTRA_LBITS[code]!;
        if (extra !== 0) {
          while (bits >= 8) {
            out[pos++] = buf & 0xff;
            buf >>>= 8;
            bits -= 8;
          }
          lc -= BASE_LENGTH[code]!;
          buf |= lc << bits;
          bits += extra;
        }
        while (bits >= 8) {
          out[pos++] = buf & 0xff;
          buf >>>= 8;
          bits -= 8;
        }
        code = dist < 256 ? DIST_CODE[dist]! : DIST_CODE[256 + (dist >> 7)]!;
        buf |= dcode[code]! << bits;
        bits += dlen[code]!;
        extra = EXTRA_DBITS[code]!;
        if (extra !== 0) {
          while (bits >= 8) {
            out[pos++] = buf & 0xff;
            buf >>>= 8;
            bits -= 8;
          }
          dist -= BASE_DIST[code]!;
          buf |= dist << bits;
          bits += extra;
        }
      }
      while (bits >= 8) {
        out[pos++] = buf & 0xff;
        buf >>>= 8;
        bits -= 8;
      }
    }
    this.outPos = pos;
    this.bitBuf = buf;
    this.bitCount = bits;
    this.sendBits(lcode[END_BLOCK]!, llen[END_BLOCK]!);
  }

  /** trees.c send_tree for both trees: the bit-length codes BlockTrees.scanTree recorded. */
  private sendRuns(trees: BlockTrees): void {
    const blCode = trees.blTree.code;
    const blLen = trees.blTree.len;
    const runs = trees.runs;
    const runCount = trees.runCount;
    const out = this.out;
    let pos = this.outPos;
    let buf = this.bitBuf;
    let bits = this.bitCount;
    for (let i = 0; i < runCount; i++) {
      // A code of at most 7 bits and up to 7 extra bits: with fewer than 8 pending, under 22.
      const run = runs[i]!;
      const sym = run & RUN_SYMBOL_MASK;
      buf |= blCode[sym]! << bits;
      bits += blLen[sym]!;
      buf |= (run >>> RUN_EXTRA_SHIFT) << bits;
      bits += EXTRA_BLBITS[sym]!;
      while (bits >= 8) {
        out[pos++] = buf & 0xff;
        buf >>>= 8;
        bits -= 8;
      }
    }
    this.outPos = pos;
    this.bitBuf = buf;
    this.bitCount = bits;
  }

  /** trees.c send_all_trees: the counts, the bit-length code lengths, then both trees. */
  sendAllTrees(trees: BlockTrees, lcodes: number, dcodes: number, blcodes: number): void {
    this.sendBits(lcodes - 257, 5);
    this.sendBits(dcodes - 1, 5);
    this.sendBits(blcodes - 4, 4);
    for (let rank = 0; rank < blcodes; rank++) this.sendBits(trees.blTree.len[BL_ORDER[rank]!]!, 3);
    this.sendRuns(trees);
  }
}
