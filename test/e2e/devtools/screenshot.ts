/**
 * "Is this screenshot blank?" without an image library: decodes the 8-bit RGB/RGBA PNGs Chromium
 * writes (zlib + the five scanline filters) and counts distinct colours and non-background pixels.
 */
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';

export interface PixelStats {
  width: number;
  height: number;
  /** Distinct colours over the whole image (capped at 10,000). */
  colours: number;
  /** Share of pixels that differ from the most common colour. */
  inked: number;
}

export function pixelStats(png: Buffer): PixelStats {
  if (png.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const data: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const depth = body[8];
      const colourType = body[9];
      if (depth !== 8 || (colourType !== 2 && colourType !== 6))
        throw new Error(`unsupported PNG (depth ${depth}, colour type ${colourType})`);
      channels = colourType === 6 ? 4 : 3;
    } else if (type === 'IDAT') data.push(body);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = pixels.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : null;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[x - channels]! : 0;
      const b = up ? up[x]! : 0;
      const c = up && x >= channels ? up[x - channels]! : 0;
      let value = line[x]!;
      if (filter === 1) value += a;
      else if (filter === 2) value += b;
      else if (filter === 3) value += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        value += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      out[x] = value & 0xff;
    }
  }
  const counts = new Map<number, number>();
  for (let i = 0; i < pixels.length; i += channels) {
    const colour = (pixels[i]! << 16) | (pixels[i + 1]! << 8) | pixels[i + 2]!;
    if (counts.size < 10_000 || counts.has(colour)) counts.set(colour, (counts.get(colour) ?? 0) + 1);
  }
  const top = Math.max(...counts.values());
  const total = width * height;
  return { width, height, colours: counts.size, inked: (total - top) / total };
}

/** Throws unless the image has real content: many colours and a fair share of non-background. */
export function assertNotBlank(path: string): PixelStats {
  const stats = pixelStats(readFileSync(path));
  if (stats.colours < 16 || stats.inked < 0.02)
    throw new Error(
      `${path} looks blank: ${stats.colours} colours, ${(stats.inked * 100).toFixed(1)}% inked`,
    );
  return stats;
}
