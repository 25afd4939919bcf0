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
 * lazy matcher of levels 4–9, zlib-match.ts) and trees.c's block encoder (zlib-trees.ts,
 * zlib-block-writer.ts) are needed; both are followed exactly, tie-breaking included, and checked
 * against Python's output in test/interop/zlib-python.test.ts.
 */
import { BlockWriter } from './zlib-block-writer.js';
import { findMatches, MIN_MATCH, SMALL_INPUT_LIMIT, symbols } from './zlib-match.js';
import { STATIC_D, STATIC_L } from './zlib-tables.js';
import { BlockTrees, D_KIND, L_KIND } from './zlib-trees.js';

export { SMALL_INPUT_LIMIT } from './zlib-match.js';

/** One compressor's reusable state; not reentrant (JavaScript runs one call at a time). */
class SmallDeflate {
  private readonly trees = new BlockTrees();
  readonly writer = new BlockWriter(SMALL_INPUT_LIMIT + 64);

  /** The zlib stream's length in `output`, or 0 when it would not be shorter than `shorterThan`. */
  compress(input: Uint8Array, shorterThan: number): number {
    this.trees.reset();
    const count = findMatches(input, this.trees.lTree.freq, this.trees.dTree.freq);
    return this.flushBlock(input, count, shorterThan);
  }

  /** trees.c _tr_flush_block for the last (only) block, then the zlib header and Adler-32. */
  private flushBlock(input: Uint8Array, count: number, shorterThan: number): number {
    const n = input.length;
    const trees = this.trees;
    trees.buildTree(trees.lTree, L_KIND);
    trees.buildTree(trees.dTree, D_KIND);
    const maxBlindex = trees.buildBlTree();
    let optLenb = (trees.optLen + 3 + 7) >>> 3;
    const staticLenb = (trees.staticLen + 3 + 7) >>> 3;
    if (staticLenb <= optLenb) optLenb = staticLenb;
    // A stored block is n + 11 bytes in all: never shorter than the input, so Django keeps it raw.
    if (n + 4 <= optLenb || optLenb + 6 >= shorterThan) return 0;
    const writer = this.writer;
    writer.start(2, optLenb + 16);
    const out = writer.out;
    out[0] = 0x78;
    out[1] = 0x9c;
    if (staticLenb === optLenb) {
      writer.sendBits((1 << 1) + 1, 3);
      writer.compressBlock(symbols, count, STATIC_L, STATIC_D);
    } else {
      writer.sendBits((2 << 1) + 1, 3);
      writer.sendAllTrees(trees, trees.lTree.maxCode + 1, trees.dTree.maxCode + 1, maxBlindex + 1);
      writer.compressBlock(symbols, count, trees.lTree, trees.dTree);
    }
    writer.flushBits();
    const adler = adler32(input);
    let pos = writer.outPos;
    out[pos++] = adler >>> 24;
    out[pos++] = (adler >>> 16) & 0xff;
    out[pos++] = (adler >>> 8) & 0xff;
    out[pos++] = adler & 0xff;
    return pos < shorterThan ? pos : 0;
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
 * No zlib stream of two or more input bytes is shorter than this, so Django never keeps a session of
 * 11 bytes or less compressed ({"n":1} and the like) and the deflate (~1.7 µs even for 7 bytes)
 * can be skipped. The 2-byte header and 4-byte Adler-32 are 6; the cheapest block is a fixed one:
 * 3 header bits, the first byte as a literal (8 bits, nothing precedes it), the rest as at least
 * one more literal (8 bits) or a match (at least a 7-bit length code and a 5-bit distance), and
 * END_BLOCK (7 bits): 30 bits, 4 bytes. A dynamic block's header alone is longer (47 bits or
 * more), a stored one is 5 bytes plus the input.
 */
const SHORTEST_STREAM = 10;

/** compressSmallLength's answer for an input above SMALL_INPUT_LIMIT. */
export const TOO_LARGE = -1;

/**
 * Python's zlib.compress(input) into the buffer smallOutput() returns: its length when it is
 * shorter than `shorterThan` bytes, else 0 (Django's "compress only if it saves something"), or
 * TOO_LARGE above SMALL_INPUT_LIMIT (the caller compresses those another way). The next call
 * overwrites the buffer: read it first. No view is created, so a caller that only base64-encodes
 * the bytes allocates nothing here.
 */
export function compressSmallLength(input: Uint8Array, shorterThan: number): number {
  if (input.length > SMALL_INPUT_LIMIT) return TOO_LARGE;
  if (input.length < MIN_MATCH || shorterThan <= SHORTEST_STREAM) return 0;
  return small.compress(input, shorterThan);
}

/** The buffer compressSmallLength writes into (it may be replaced by a larger one). */
export const smallOutput = (): Buffer => small.writer.out;

/**
 * compressSmallLength as a view of the shared buffer, null for "not shorter", undefined for too
 * large. Read it before compressing again (compressSmall copies).
 */
export function compressSmallView(input: Uint8Array, shorterThan: number): Uint8Array | null | undefined {
  const length = compressSmallLength(input, shorterThan);
  if (length === TOO_LARGE) return undefined;
  return length === 0 ? null : small.writer.out.subarray(0, length);
}

/** compressSmallView with a copy of the bytes the caller may keep. */
export function compressSmall(input: Uint8Array, shorterThan: number): Uint8Array | null | undefined {
  const view = compressSmallView(input, shorterThan);
  // A copy: Buffer's slice() would be one more view of the shared buffer.
  return view ? new Uint8Array(view) : view;
}
