/**
 * The fixed tables of RFC 1951 as trees.c sets them up (tr_static_init): length and distance
 * codes with their extra bits, the code-length order, the fixed Huffman trees, and the canonical
 * code assignment every tree shares.
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

/** gen_codes scratch: the next code of each length (declared before the static trees use it). */
const nextCode = new Uint16Array(MAX_BITS + 1);

/** Each byte with its bits in reverse order. */
const REVERSED_BYTE = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  let r = 0;
  for (let bit = 0; bit < 8; bit++) if (b & (1 << bit)) r |= 0x80 >>> bit;
  REVERSED_BYTE[b] = r;
}

/** trees.c bi_reverse: the low `len` (1..15) bits of code, reversed (Huffman codes go LSB first). */
export function reverseBits(code: number, len: number): number {
  return ((REVERSED_BYTE[code & 0xff]! << 8) | REVERSED_BYTE[code >>> 8]!) >>> (16 - len);
}

export interface Tree {
  freq: Int32Array;
  len: Uint16Array;
  code: Uint16Array;
  dad: Int32Array;
  maxCode: number;
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

/** trees.c gen_codes: canonical codes from the code lengths and their counts. */
export function assignCodes(tree: Tree, maxCode: number, blCount: Uint16Array): void {
  const next = nextCode;
  let code = 0;
  for (let bits = 1; bits <= MAX_BITS; bits++) {
    code = (code + blCount[bits - 1]!) << 1;
    next[bits] = code;
  }
  const len = tree.len;
  const codes = tree.code;
  for (let n = 0; n <= maxCode; n++) {
    const l = len[n]!;
    if (l !== 0) codes[n] = reverseBits(next[l]!++, l);
  }
}
