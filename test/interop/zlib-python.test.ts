/**
 * Issue 13 item 1: the session codec's deflate writes the bytes Python's zlib.compress writes (the
 * bytes Django signs), checked live against /usr/bin/python3 on 1,500 generated inputs: session
 * JSON, small alphabets, long runs, far repeats, skewed symbol counts that force zlib's code-length
 * overflow repair, up to the 16,382-byte limit of the fast path. Node's own zlib (Chromium's fork)
 * fails this for most inputs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compressSmall, SMALL_INPUT_LIMIT } from '../../server-agent/sessions/zlib-deflate.js';
import { inflateCapped } from '../../server-agent/sessions/zlib-codec.js';
import { IN_CI } from '../helpers/services.js';

const PYTHON = '/usr/bin/python3';
const hasPython = existsSync(PYTHON);
if (!hasPython && IN_CI) throw new Error('/usr/bin/python3 is needed for the zlib interop test');

/** A small deterministic PRNG (mulberry32), so a failure names a reproducible input. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function inputs(): Buffer[] {
  const rnd = prng(13);
  const int = (n: number) => Math.floor(rnd() * n);
  const out: Buffer[] = [];
  const fromAlphabet = (n: number, alphabet: number[]) =>
    Buffer.from(Array.from({ length: n }, () => alphabet[int(alphabet.length)]!));
  for (let i = 0; i < 500; i++) {
    const session: Record<string, unknown> = {};
    for (let k = int(30); k > 0; k--) {
      const r = rnd();
      session[`k${int(60)}`] =
        r < 0.3
          ? int(1e9)
          : r < 0.6
            ? 'x'.repeat(int(40)) + int(1e6)
            : r < 0.8
              ? [int(9), 'a', { b: int(99) }]
              : null;
    }
    out.push(Buffer.from(JSON.stringify(session)));
  }
  const alphabets = [
    [97],
    [97, 98],
    [32, 34, 44, 58, 123, 125, 97, 98, 99],
    Array.from({ length: 256 }, (_, i) => i),
  ];
  for (let i = 0; i < 600; i++)
    out.push(fromAlphabet(3 + int(i < 500 ? 2000 : SMALL_INPUT_LIMIT - 3), alphabets[i % 4]!));
  for (let i = 0; i < 200; i++) {
    const parts: Buffer[] = [];
    for (let j = int(40); j >= 0; j--) {
      const r = rnd();
      if (r < 0.3) parts.push(Buffer.alloc(1 + int(300), int(256)));
      else if (r < 0.6 && parts.length) parts.push(parts[int(parts.length)]!.subarray(0, 1 + int(50)));
      else parts.push(fromAlphabet(1 + int(30), [97, 98, 99, 100, 101, 102, 103, 104]));
    }
    out.push(Buffer.concat(parts).subarray(0, SMALL_INPUT_LIMIT));
  }
  // Far repeats (beyond zlib's TOO_FAR of 4096 bytes) and Fibonacci-skewed counts.
  for (let i = 0; i < 100; i++) {
    const block = fromAlphabet(600, alphabets[3]!);
    const middle = fromAlphabet(4000 + int(9000), alphabets[3]!);
    out.push(Buffer.concat([block, middle, block, block.subarray(0, 3), middle.subarray(0, 50)]));
  }
  for (let k = 5; k < 105; k++) {
    const fib = [1, 1];
    while (fib.length < 5 + (k % 17)) fib.push(fib.at(-1)! + fib.at(-2)!);
    const symbols = fib.flatMap((count, symbol) => Array<number>(count).fill(symbol + (k % 3) * 60));
    for (let i = symbols.length - 1; i > 0 && k % 2 === 0; i--) {
      const j = int(i + 1);
      [symbols[i], symbols[j]] = [symbols[j]!, symbols[i]!];
    }
    out.push(Buffer.from(symbols.slice(0, SMALL_INPUT_LIMIT)));
  }
  return out;
}

function pythonCompress(all: Buffer[]): Buffer[] {
  const script =
    'import sys,json,zlib,base64\n' +
    'print(json.dumps([base64.b64encode(zlib.compress(base64.b64decode(x))).decode() for x in json.load(sys.stdin)]))';
  const stdout = execFileSync(PYTHON, ['-c', script], {
    input: JSON.stringify(all.map((b) => b.toString('base64'))),
    maxBuffer: 256 * 1024 * 1024,
  });
  return (JSON.parse(stdout.toString()) as string[]).map((b) => Buffer.from(b, 'base64'));
}

/** Every session JSON a counter makes, and runs of one or two bytes, of 3 to 24 bytes. */
function tinyInputs(): Buffer[] {
  const out: Buffer[] = [];
  for (let digits = 1; digits <= 12; digits++) out.push(Buffer.from(`{"n":${'9'.repeat(digits)}}`));
  for (let n = 3; n <= 24; n++) {
    out.push(Buffer.alloc(n, 0x61));
    out.push(Buffer.from('ab'.repeat(n).slice(0, n)));
    out.push(Buffer.from('{"k":"'.concat('x'.repeat(n)).slice(0, n)));
  }
  return out;
}

/**
 * Our compressSmall against Python's zlib.compress under Django's rule (keep the compressed form only
 * when it is shorter than the input minus one byte): the same bytes, or null for both. Returns ours.
 */
function expectDjangoPayload(input: Buffer, python: Buffer, label: string): Uint8Array | null | undefined {
  const djangoKeeps = python.length < input.length - 1;
  const ours = compressSmall(input, input.length - 1);
  expect(ours === null ? null : Buffer.from(ours!).toString('hex'), label).toBe(
    djangoKeeps ? python.toString('hex') : null,
  );
  return ours;
}

describe.skipIf(!hasPython)('issue 13 item 1: deflate byte-identical to Python zlib.compress', () => {
  it('tiny inputs (3–24 bytes): the same keep-or-skip decision as Django, where the deflate is skipped', () => {
    const all = tinyInputs();
    const python = pythonCompress(all);
    const kept = all.filter((input, i) => expectDjangoPayload(input, python[i]!, `${input}`));
    // Runs of 13 bytes and more compress: the boundary is inside the range tested.
    expect(kept.length).toBeGreaterThan(10);
  });

  it('1,500 generated inputs: same bytes whenever Django would keep the compressed form', () => {
    const all = inputs();
    const python = pythonCompress(all);
    let compared = 0;
    all.forEach((input, i) => {
      const ours = expectDjangoPayload(input, python[i]!, `input #${i} (${input.length} bytes)`);
      if (ours) {
        compared++;
        expect(inflateCapped(ours).equals(input)).toBe(true);
      }
    });
    // Most inputs compress: the comparison is not vacuous.
    expect(compared).toBeGreaterThan(1000);
  }, 120_000);
});
