/**
 * A pickler whose output is byte-identical to CPython's `pickle.dumps(value, protocol)` (the C
 * pickler, protocols 4 and 5) for the values Django sessions hold: the same opcode per type and
 * size, the same MEMOIZE/BINGET, batches of 1000 and FRAME layout (frames of about 64 KiB
 * committed at opcode boundaries, payloads of 64 KiB and more written outside any frame).
 *
 * Identity is what Python's memo keys on; JS has it for arrays, Maps, objects and byte arrays,
 * so those are memoized by identity, exactly as Python would the same shared object. Strings
 * have no identity in JS: they are memoized by value, i.e. as if every equal str were the same
 * object (what Python's interned literals give). CPython's bytes of length 0 and 1 are
 * singletons, so those are memoized by value too.
 */
import { PyDatetime, PyFloat, PyTimedelta, PyTimezone, PyTuple, type PyValue } from './pickle-types.js';
import { encodeText, longBytes, Writer } from './pickle-writer.js';

/** What the pickler accepts: PyValue, plus plain objects (JSON objects) as str-keyed dicts. */
export type Picklable =
  | PyValue
  | PyTimezone
  | { [key: string]: Picklable }
  | Picklable[]
  | Map<unknown, Picklable>;

const BATCHSIZE = 1000;
const MAX_DEPTH = 1000;

export class PickleError extends TypeError {}

export function pickle(value: Picklable, protocol: 4 | 5 = 5): Buffer {
  const w = new Writer();
  const memoByValue = new Map<string, number>();
  const memoByIdentity = new Map<object, number>();
  let memoSize = 0;

  const memoize = (slot: Map<string, number> | Map<object, number>, key: string | object) => {
    (slot as Map<string | object, number>).set(key, memoSize++);
    w.byte(0x94);
  };
  const get = (index: number) => (index < 256 ? w.opU8(0x68, index) : w.opU32(0x6a, index));

  const saveStr = (text: string, memoKey = `s${text}`) => {
    const known = memoByValue.get(memoKey);
    if (known !== undefined) return get(known);
    const data = encodeText(text);
    if (data.length < 256) {
      w.opU8(0x8c, data.length);
      w.bytes(data);
    } else
      w.headerAndPayload(
        () => (data.length <= 0xffffffff ? w.opU32(0x58, data.length) : w.opU64(0x8d, data.length)),
        data,
      );
    memoize(memoByValue, memoKey);
  };
  const saveBytes = (data: Uint8Array) => {
    const singleton = data.length <= 1 ? `b${data[0] ?? ''}` : null;
    const known = singleton ? memoByValue.get(singleton) : memoByIdentity.get(data);
    if (known !== undefined) return get(known);
    const header = () =>
      data.length < 256
        ? w.opU8(0x43, data.length)
        : data.length <= 0xffffffff
          ? w.opU32(0x42, data.length)
          : w.opU64(0x8e, data.length);
    if (data.length < 256) {
      header();
      w.bytes(data);
    } else w.headerAndPayload(header, data);
    if (singleton) memoize(memoByValue, singleton);
    else memoize(memoByIdentity, data);
  };
  const saveInt = (n: number | bigint) => {
    if (typeof n === 'number' && n >= -0x80000000 && n <= 0x7fffffff) {
      if (n >= 0 && n <= 0xff) w.opU8(0x4b, n);
      else if (n >= 0 && n <= 0xffff) w.opU16(0x4d, n);
      else w.opI32(0x4a, n);
      return;
    }
    const data = longBytes(BigInt(n));
    if (data.length < 256) w.opU8(0x8a, data.length);
    else w.opI32(0x8b, data.length);
    w.bytes(data);
  };
  const saveGlobal = (module: string, name: string) => {
    const key = `g${module}\n${name}`;
    const known = memoByValue.get(key);
    if (known !== undefined) return get(known);
    // Python memoizes the module and the qualified name as two distinct str objects.
    saveStr(module, `m${module}`);
    saveStr(name, `q${module}\n${name}`);
    w.byte(0x93);
    memoize(memoByValue, key);
  };
  /** save_reduce(callable, args) for the datetime family: callable, args tuple, REDUCE, memo. */
  const saveReduce = (
    module: string,
    name: string,
    args: Picklable[],
    memoKey: string | null,
    depth: number,
  ) => {
    if (memoKey !== null) {
      const known = memoByValue.get(memoKey);
      if (known !== undefined) return get(known);
    }
    saveGlobal(module, name);
    saveTuple(new PyTuple(args as PyValue[]), depth + 1);
    w.byte(0x52);
    if (memoKey !== null) memoize(memoByValue, memoKey);
    else {
      memoSize++;
      w.byte(0x94);
    }
  };
  const saveTuple = (tuple: PyTuple, depth: number) => {
    const known = memoByIdentity.get(tuple);
    if (known !== undefined) return get(known);
    const n = tuple.items.length;
    if (n === 0) return w.byte(0x29);
    if (n > 3) w.byte(0x28);
    for (const item of tuple.items) save(item, depth + 1);
    w.byte(n === 1 ? 0x85 : n === 2 ? 0x86 : n === 3 ? 0x87 : 0x74);
    memoize(memoByIdentity, tuple);
  };
  const saveDatetime = (d: PyDatetime, depth: number) => {
    const micro = [(d.microsecond >> 16) & 0xff, (d.microsecond >> 8) & 0xff, d.microsecond & 0xff];
    const state =
      d.kind === 'date'
        ? [d.year >> 8, d.year & 0xff, d.month, d.day]
        : d.kind === 'time'
          ? [d.hour, d.minute, d.second, ...micro]
          : [d.year >> 8, d.year & 0xff, d.month, d.day, d.hour, d.minute, d.second, ...micro];
    const args: Picklable[] = [Uint8Array.from(state)];
    if (d.tz) args.push(d.tz);
    saveReduce('datetime', d.kind, args, null, depth);
  };
  const saveTimedelta = (t: PyTimedelta, depth: number, memoKey: string | null = null) =>
    saveReduce('datetime', 'timedelta', [t.days, t.seconds, t.microseconds], memoKey, depth);
  const saveTimezone = (tz: PyTimezone, depth: number) => {
    if (tz.pytz)
      throw new PickleError('pytz.utc is read, never written: use PyTimezone(0) (datetime.timezone.utc)');
    const days = Math.floor(tz.offsetSeconds / 86_400);
    // timezone.utc is one object in Python: every use after the first is a BINGET.
    saveReduce(
      'datetime',
      'timezone',
      [new PyTimedelta(days, tz.offsetSeconds - days * 86_400, 0)],
      `z${tz.offsetSeconds}`,
      depth,
    );
  };
  const saveDictItems = (entries: Iterable<[unknown, Picklable]>, size: number, depth: number) => {
    if (size === 1) {
      for (const [k, v] of entries) {
        save(k as Picklable, depth + 1);
        save(v, depth + 1);
      }
      w.byte(0x73);
      return;
    }
    // CPython's batch_dict_exact: MARK … SETITEMS per 1000, and one more (empty) batch when the
    // size is an exact multiple of 1000.
    const all = [...entries];
    let i = 0;
    let batch: number;
    do {
      w.byte(0x28);
      for (batch = 0; i < all.length && batch < BATCHSIZE; batch++, i++) {
        const [k, v] = all[i] as [unknown, Picklable];
        save(k as Picklable, depth + 1);
        save(v, depth + 1);
      }
      w.byte(0x75);
    } while (batch === BATCHSIZE);
  };
  const saveList = (items: Picklable[], depth: number) => {
    const known = memoByIdentity.get(items);
    if (known !== undefined) return get(known);
    w.byte(0x5d);
    memoize(memoByIdentity, items);
    if (items.length === 0) return;
    if (items.length === 1) {
      save(items[0] as Picklable, depth + 1);
      w.byte(0x61);
      return;
    }
    let total = 0;
    do {
      w.byte(0x28);
      let batch = 0;
      while (total < items.length) {
        save(items[total] as Picklable, depth + 1);
        total++;
        if (++batch === BATCHSIZE) break;
      }
      w.byte(0x65);
    } while (total < items.length);
  };
  const saveDict = (dict: Map<unknown, Picklable> | { [key: string]: Picklable }, depth: number) => {
    const known = memoByIdentity.get(dict);
    if (known !== undefined) return get(known);
    w.byte(0x7d);
    memoize(memoByIdentity, dict);
    if (dict instanceof Map) {
      if (dict.size > 0) saveDictItems(dict.entries(), dict.size, depth);
    } else {
      const keys = Object.keys(dict);
      if (keys.length > 0)
        saveDictItems(
          keys.map((k) => [k, dict[k] as Picklable]),
          keys.length,
          depth,
        );
    }
  };

  function save(v: Picklable, depth: number): void {
    if (depth > MAX_DEPTH) throw new PickleError(`nesting deeper than ${MAX_DEPTH}`);
    w.boundary();
    if (v === null) {
      w.byte(0x4e);
      return;
    }
    switch (typeof v) {
      case 'boolean':
        w.byte(v ? 0x88 : 0x89);
        return;
      case 'number':
        if (Number.isInteger(v)) saveInt(v);
        else w.opF64(0x47, v);
        return;
      case 'bigint':
        saveInt(v);
        return;
      case 'string':
        saveStr(v);
        return;
      case 'object':
        break;
      default:
        throw new PickleError(`cannot pickle a ${typeof v}`);
    }
    if (v instanceof PyFloat) {
      w.opF64(0x47, v.value);
      return;
    }
    if (v instanceof Uint8Array) {
      saveBytes(v);
      return;
    }
    if (Array.isArray(v)) {
      saveList(v, depth);
      return;
    }
    if (v instanceof PyTuple) {
      saveTuple(v, depth);
      return;
    }
    if (v instanceof PyDatetime) {
      saveDatetime(v, depth);
      return;
    }
    if (v instanceof PyTimedelta) {
      saveTimedelta(v, depth);
      return;
    }
    if (v instanceof PyTimezone) {
      saveTimezone(v, depth);
      return;
    }
    if (v instanceof Map) {
      saveDict(v, depth);
      return;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null)
      throw new PickleError(`cannot pickle a ${proto?.constructor?.name ?? 'object'}`);
    saveDict(v as { [key: string]: Picklable }, depth);
  }

  w.opU8(0x80, protocol);
  w.framing = true;
  save(value, 0);
  w.byte(0x2e);
  w.commitFrame();
  return Buffer.from(w.result());
}
