/**
 * Tagged values shared with test/interop/pickle_driver.py: the same value built on both sides,
 * shared objects included, so CPython's pickle.dumps and ours can be compared byte for byte.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import {
  type Picklable,
  PyDatetime,
  PyFloat,
  PyTimezone,
  PyTuple,
} from '../../server-agent/sessions/stores/pickle.js';

export type Tagged =
  | { t: 'none' }
  | { t: 'bool'; v: boolean }
  | { t: 'int'; v: string }
  | { t: 'float'; v: number | string }
  | { t: 'str'; v: string }
  | { t: 'bytes'; v: string }
  | { t: 'list' | 'tuple'; v: Tagged[]; id?: number }
  | { t: 'dict'; v: [Tagged, Tagged][]; id?: number }
  | { t: 'datetime'; v: [number, number, number, number, number, number, number]; tz?: number | null }
  | { t: 'ref'; id: number };

/** The JS value for a tagged one (refs resolve to the very same JS object). */
export function fromTagged(tagged: Tagged, objects = new Map<number, Picklable>()): Picklable {
  switch (tagged.t) {
    case 'none':
      return null;
    case 'bool':
      return tagged.v;
    case 'int': {
      const big = BigInt(tagged.v);
      return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(big)
        : big;
    }
    case 'float': {
      const v =
        typeof tagged.v === 'number'
          ? tagged.v
          : Number(tagged.v.replace('inf', 'Infinity').replace('nan', 'NaN'));
      return Number.isInteger(v) ? new PyFloat(v) : v;
    }
    case 'str':
      return tagged.v;
    case 'bytes':
      return Uint8Array.from(Buffer.from(tagged.v, 'hex'));
    case 'ref': {
      const found = objects.get(tagged.id);
      if (found === undefined) throw new Error(`ref ${tagged.id} before its object`);
      return found;
    }
    case 'datetime': {
      const [y, mo, d, h, mi, s, us] = tagged.v;
      const tz = tagged.tz === undefined || tagged.tz === null ? null : new PyTimezone(tagged.tz);
      return new PyDatetime('datetime', y, mo, d, h, mi, s, us, tz);
    }
    case 'list': {
      const out: Picklable[] = [];
      if (tagged.id !== undefined) objects.set(tagged.id, out);
      for (const v of tagged.v) out.push(fromTagged(v, objects));
      return out;
    }
    case 'tuple': {
      const out = new PyTuple(tagged.v.map((v) => fromTagged(v, objects)) as never);
      if (tagged.id !== undefined) objects.set(tagged.id, out);
      return out;
    }
    case 'dict': {
      const out = new Map<unknown, Picklable>();
      if (tagged.id !== undefined) objects.set(tagged.id, out);
      for (const [k, v] of tagged.v) out.set(fromTagged(k, objects), fromTagged(v, objects));
      return out;
    }
  }
}

const PYTHON = '/usr/bin/python3';
const DRIVER = fileURLToPath(new URL('../interop/pickle_driver.py', import.meta.url));

/** CPython's pickle.dumps(value, protocol) of each tagged value, as hex. */
export function pythonPickles(values: Tagged[], protocol = 5): string[] {
  const out = execFileSync(PYTHON, [DRIVER], {
    input: JSON.stringify({ protocol, values }),
    maxBuffer: 1 << 28,
  });
  return (JSON.parse(out.toString()) as { pickles: string[] }).pickles;
}

/** pickle.loads in CPython: tagged values back, or { error } naming Python's exception. */
export function pythonLoads(
  pickles: Uint8Array[],
): (Tagged | { error: string } | { t: 'datetime'; iso: string })[] {
  const input = JSON.stringify({ load: pickles.map((p) => Buffer.from(p).toString('hex')) });
  const out = execFileSync(PYTHON, [DRIVER], { input, maxBuffer: 1 << 28 });
  return (JSON.parse(out.toString()) as { values: never[] }).values;
}

const scalar: fc.Arbitrary<Tagged> = fc.oneof(
  fc.constant<Tagged>({ t: 'none' }),
  fc.boolean().map<Tagged>((v) => ({ t: 'bool', v })),
  fc
    .oneof(
      fc.integer({ min: -300, max: 70_000 }),
      fc.integer(),
      fc.bigInt({ min: -(1n << 200n), max: 1n << 200n }),
      fc.constantFrom(
        -(2n ** 31n),
        2n ** 31n,
        -(2n ** 31n) - 1n,
        -(2n ** 63n),
        2n ** 64n,
        -256n,
        -255n,
        -128n,
        -129n,
      ),
    )
    .map<Tagged>((v) => ({ t: 'int', v: String(v) })),
  fc
    .oneof(fc.double(), fc.constantFrom(2, 1e300, 0.1))
    // -0 would not survive the trip through JSON to Python
    .map((v) => (Object.is(v, -0) ? 0 : v))
    .map<Tagged>((v) =>
      Number.isNaN(v)
        ? { t: 'float', v: 'nan' }
        : Number.isFinite(v)
          ? { t: 'float', v }
          : { t: 'float', v: v > 0 ? 'inf' : '-inf' },
    ),
  fc
    .oneof(fc.string({ unit: 'binary' }), fc.constantFrom('', 'a', 'é', 'x'.repeat(300)))
    .map<Tagged>((v) => ({ t: 'str', v })),
  fc.uint8Array({ maxLength: 300 }).map<Tagged>((v) => ({ t: 'bytes', v: Buffer.from(v).toString('hex') })),
);

/** Python dict keys that compare equal (1 == 1.0 == True, nan is itself) collide; keep them apart. */
function pythonKeyIdentity(key: Tagged): string {
  if (key.t === 'bool') return `n${key.v ? 1 : 0}`;
  if (key.t === 'int') return `n${BigInt(key.v)}`;
  if (key.t === 'float') {
    const v = typeof key.v === 'number' ? key.v : key.v;
    return typeof v === 'number' && Number.isInteger(v) ? `n${BigInt(v)}` : `f${String(v)}`;
  }
  return JSON.stringify(key);
}

/** Random values of every supported type, with keys of every hashable kind. */
export const taggedValue: fc.Arbitrary<Tagged> = fc.letrec<{ value: Tagged }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 6 }).map<Tagged>((v) => ({ t: 'list', v })),
    fc.array(tie('value'), { maxLength: 5 }).map<Tagged>((v) => ({ t: 'tuple', v })),
    fc
      .uniqueArray(
        fc.tuple(
          fc.oneof(
            scalar.filter((k) => k.t !== 'bytes'),
            fc.string().map<Tagged>((v) => ({ t: 'str', v })),
          ),
          tie('value'),
        ),
        {
          maxLength: 6,
          selector: ([key]) => pythonKeyIdentity(key),
        },
      )
      .map<Tagged>((v) => ({ t: 'dict', v })),
  ),
})).value;
