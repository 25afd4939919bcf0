/**
 * The pickler's output buffer, with CPython's framing (_Pickler_Write, _Pickler_CommitFrame,
 * _Pickler_OpcodeBoundary, _Pickler_write_bytes), and the byte encodings of str and int.
 */
const FRAME_SIZE_TARGET = 64 * 1024;
const FRAME_SIZE_MIN = 4;
const FRAME_HEADER_SIZE = 9;

export class Writer {
  buf = Buffer.allocUnsafe(256);
  len = 0;
  framing = false;
  frameStart = -1;

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  private startFrameIfNeeded(n: number): void {
    if (this.framing && this.frameStart === -1) {
      this.reserve(n + FRAME_HEADER_SIZE);
      this.frameStart = this.len;
      this.len += FRAME_HEADER_SIZE;
    } else this.reserve(n);
  }
  byte(b: number): void {
    this.startFrameIfNeeded(1);
    this.buf[this.len++] = b;
  }
  bytes(data: Uint8Array): void {
    this.startFrameIfNeeded(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
  }
  opU8(op: number, v: number): void {
    this.startFrameIfNeeded(2);
    this.buf[this.len++] = op;
    this.buf[this.len++] = v;
  }
  opU16(op: number, v: number): void {
    this.startFrameIfNeeded(3);
    this.buf[this.len++] = op;
    this.buf.writeUInt16LE(v, this.len);
    this.len += 2;
  }
  opI32(op: number, v: number): void {
    this.startFrameIfNeeded(5);
    this.buf[this.len++] = op;
    this.buf.writeInt32LE(v, this.len);
    this.len += 4;
  }
  opU32(op: number, v: number): void {
    this.startFrameIfNeeded(5);
    this.buf[this.len++] = op;
    this.buf.writeUInt32LE(v, this.len);
    this.len += 4;
  }
  opU64(op: number, v: number): void {
    this.startFrameIfNeeded(9);
    this.buf[this.len++] = op;
    this.buf.writeBigUInt64LE(BigInt(v), this.len);
    this.len += 8;
  }
  opF64(op: number, v: number): void {
    this.startFrameIfNeeded(9);
    this.buf[this.len++] = op;
    this.buf.writeDoubleBE(v, this.len);
    this.len += 8;
  }
  commitFrame(): void {
    if (!this.framing || this.frameStart === -1) return;
    const frameLen = this.len - this.frameStart - FRAME_HEADER_SIZE;
    if (frameLen >= FRAME_SIZE_MIN) {
      this.buf[this.frameStart] = 0x95;
      this.buf.writeBigUInt64LE(BigInt(frameLen), this.frameStart + 1);
    } else {
      this.buf.copy(this.buf, this.frameStart, this.frameStart + FRAME_HEADER_SIZE, this.len);
      this.len -= FRAME_HEADER_SIZE;
    }
    this.frameStart = -1;
  }
  /** CPython's _Pickler_OpcodeBoundary: close a frame once it reaches the target size. */
  boundary(): void {
    if (
      this.framing &&
      this.frameStart !== -1 &&
      this.len - this.frameStart - FRAME_HEADER_SIZE >= FRAME_SIZE_TARGET
    )
      this.commitFrame();
  }
  /** A header and a payload; a payload of 64 KiB or more goes outside any frame. */
  headerAndPayload(write: () => void, payload: Uint8Array): void {
    const bypass = payload.length >= FRAME_SIZE_TARGET;
    const framing = this.framing;
    if (bypass) {
      this.commitFrame();
      this.framing = false;
    }
    write();
    this.bytes(payload);
    this.framing = framing;
  }
  result(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

/** UTF-8 with surrogatepass, as CPython encodes a str that holds lone surrogates. */
export function encodeText(text: string): Uint8Array {
  const fast = Buffer.from(text, 'utf8');
  if (
    !/[\ud800-\udfff]/.test(text) ||
    !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text)
  )
    return fast;
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else
      out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
  return Uint8Array.from(out);
}

/** Little-endian two's complement, as CPython's save_long sizes it for LONG1/LONG4. */
export function longBytes(value: bigint): Uint8Array {
  if (value === 0n) return new Uint8Array(0);
  const magnitude = value < 0n ? -value : value;
  const nbits = magnitude.toString(2).length;
  let nbytes = (nbits >> 3) + 1;
  const out = new Uint8Array(nbytes);
  let v = value < 0n ? (1n << BigInt(8 * nbytes)) + value : value;
  for (let i = 0; i < nbytes; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  if (value < 0n && nbytes > 1 && out[nbytes - 1] === 0xff && ((out[nbytes - 2] as number) & 0x80) !== 0)
    nbytes--;
  return out.subarray(0, nbytes);
}
