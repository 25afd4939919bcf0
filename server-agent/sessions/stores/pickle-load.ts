/**
 * A restricted unpickler written for Django's cache values: it understands only the opcodes that
 * build None, bool, int, float, str, bytes, list, tuple and dict (protocols 2 to 5), plus the
 * datetime family Django 3.2's set_expiry() leaves in a session. Every other opcode (a global
 * outside that allowlist, REDUCE of anything else, BUILD, NEWOBJ, INST, EXT*, persistent ids,
 * sets, out-of-band buffers, the text opcodes of protocols 0 and 1) is refused where it is read,
 * so nothing named by the pickle is ever looked up, let alone called: the "callables" here are
 * inert tags that only our own constructors below understand.
 *
 * Hostile input is bounded: every length is checked against the bytes left before anything is
 * sliced, ints longer than 64 bytes are refused, the memo is a Map (no sparse-array growth), the
 * number of values built is capped, and a final iterative pass refuses cycles, nesting deeper
 * than maxDepth and DAGs whose expansion (what JSON would write) exceeds maxExpanded.
 */
import { PickleRefused, PyFloat, type PyKey, PyTuple, type PyValue } from './pickle-types.js';
import {
  ALLOWED_GLOBALS,
  type Constructor,
  construct,
  decodeText,
  Global,
  type Item,
} from './pickle-construct.js';
import { isHashable, validate } from './pickle-validate.js';

export interface UnpickleLimits {
  /** Bytes accepted at all (default 2 MiB; the stack can hold at most one entry per byte). */
  maxBytes?: number;
  /** Strings, bytes, containers and datetimes built (default 250,000). */
  maxValues?: number;
  /** Nesting of lists, tuples and dicts (default 512, the JSON serializer's own limit). */
  maxDepth?: number;
  /** Values counted with repetition through shared references (default 1,000,000). */
  maxExpanded?: number;
}

const DEFAULTS = { maxBytes: 2 << 20, maxValues: 250_000, maxDepth: 512, maxExpanded: 1_000_000 };
const MAX_LONG_BYTES = 64;

const OPCODE_NAMES: Record<number, string> = {
  82: 'REDUCE',
  98: 'BUILD',
  99: 'GLOBAL',
  105: 'INST',
  111: 'OBJ',
  129: 'NEWOBJ',
  146: 'NEWOBJ_EX',
  130: 'EXT1',
  131: 'EXT2',
  132: 'EXT4',
  80: 'PERSID',
  81: 'BINPERSID',
  143: 'EMPTY_SET',
  144: 'ADDITEMS',
  145: 'FROZENSET',
  150: 'BYTEARRAY8',
  151: 'NEXT_BUFFER',
  152: 'READONLY_BUFFER',
};

export function unpickle(input: Uint8Array, limits: UnpickleLimits = {}): PyValue {
  const { maxBytes, maxValues, maxDepth, maxExpanded } = { ...DEFAULTS, ...limits };
  if (input.length > maxBytes) throw new PickleRefused(`larger than ${maxBytes} bytes`, 0);
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  const end = input.length;
  let pos = 0;
  let op = 0;
  let built = 0;
  let stack: Item[] = [];
  const marks: Item[][] = [];
  const memo = new Map<number, Item>();

  const refuse = (reason: string): never => {
    throw new PickleRefused(reason, op);
  };
  const need = (n: number) => {
    if (n > end - pos) refuse('truncated (a length runs past the end)');
  };
  const take = (n: number): Uint8Array => {
    need(n);
    const out = input.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  const count = () => {
    if (++built > maxValues) refuse(`more than ${maxValues} values`);
  };
  const pop = (): Item => {
    if (stack.length === 0) refuse('stack underflow');
    return stack.pop() as Item;
  };
  const top = (): Item => {
    if (stack.length === 0) refuse('stack underflow');
    return stack[stack.length - 1] as Item;
  };
  const popMark = (): Item[] => {
    const items = stack;
    const previous = marks.pop();
    if (!previous) refuse('no MARK to pop');
    stack = previous as Item[];
    return items;
  };
  const u32 = () => {
    need(4);
    const v = view.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const u64 = () => {
    need(8);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(end - pos)) refuse('truncated (a length runs past the end)');
    return Number(v);
  };
  const text = (n: number) => {
    const at = pos;
    const bytes = take(n);
    count();
    return decodeText(bytes, at);
  };
  const bytes = (n: number) => {
    need(n);
    count();
    const out = input.slice(pos, pos + n);
    pos += n;
    return out;
  };
  const long = (n: number): number | bigint => {
    if (n > MAX_LONG_BYTES) refuse(`an int longer than ${MAX_LONG_BYTES} bytes`);
    const b = take(n);
    if (n === 0) return 0;
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i] as number);
    if ((b[n - 1] as number) & 0x80) v -= 1n << BigInt(8 * n);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const pushGlobal = (module: Item, name: Item) => {
    if (typeof module !== 'string' || typeof name !== 'string') refuse('a global whose name is not a str');
    const allowed = ALLOWED_GLOBALS.get(`${module}\n${name}`);
    // The name is the pickle's own text: shown shortened, and never looked up anywhere.
    // The name goes into the security log: printable ASCII only, shortened (no log injection).
    const shown = `${module}.${name}`.slice(0, 60).replace(/[^\x20-\x7e]/g, '?');
    if (!allowed) refuse(`global ${JSON.stringify(shown)} is not allowed`);
    stack.push(new Global(allowed as Constructor));
  };
  const list = (item: Item): PyValue[] => {
    if (!Array.isArray(item)) refuse('APPEND to something that is not a list');
    return item as PyValue[];
  };
  const dict = (item: Item): Map<PyKey, PyValue> => {
    if (!(item instanceof Map)) refuse('SETITEM on something that is not a dict');
    return item as Map<PyKey, PyValue>;
  };
  const setItem = (target: Map<PyKey, PyValue>, key: Item, value: Item) => {
    if (!isHashable(key)) refuse('a dict key that is not a str, int, float, bool or None');
    target.set(key as PyKey, value as PyValue);
  };

  while (pos < end) {
    op = pos;
    const code = input[pos++] as number;
    switch (code) {
      case 0x80: {
        // PROTO
        const proto = take(1)[0] as number;
        if (proto < 2 || proto > 5) refuse(`protocol ${proto} (2 to 5 are read)`);
        break;
      }
      case 0x95: // FRAME: a length hint; only checked
        u64();
        break;
      case 0x2e: {
        // STOP
        if (marks.length > 0 || stack.length !== 1) refuse('STOP with a malformed stack');
        if (pos !== end) refuse('bytes after STOP');
        const result = stack[0] as Item;
        validate(result, { maxDepth, maxExpanded }, op);
        return result as PyValue;
      }
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4b: // BININT1
        stack.push(take(1)[0] as number);
        break;
      case 0x4d: // BININT2
        need(2);
        stack.push(view.getUint16(pos, true));
        pos += 2;
        break;
      case 0x4a: // BININT
        need(4);
        stack.push(view.getInt32(pos, true));
        pos += 4;
        break;
      case 0x8a: // LONG1
        stack.push(long(take(1)[0] as number));
        break;
      case 0x8b: {
        // LONG4 (a signed length; negative is an error in Python too)
        need(4);
        const n = view.getInt32(pos, true);
        pos += 4;
        if (n < 0) refuse('LONG4 with a negative length');
        stack.push(long(n));
        break;
      }
      case 0x47: {
        // BINFLOAT
        need(8);
        const v = view.getFloat64(pos, false);
        pos += 8;
        stack.push(Number.isInteger(v) ? new PyFloat(v) : v);
        break;
      }
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text(take(1)[0] as number));
        break;
      case 0x58: // BINUNICODE
        stack.push(text(u32()));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(text(u64()));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(bytes(take(1)[0] as number));
        break;
      case 0x42: // BINBYTES
        stack.push(bytes(u32()));
        break;
      case 0x8e: // BINBYTES8
        stack.push(bytes(u64()));
        break;
      case 0x5d: // EMPTY_LIST
        count();
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        count();
        stack.push(new PyTuple([]));
        break;
      case 0x7d: // EMPTY_DICT
        count();
        stack.push(new Map());
        break;
      case 0x28: // MARK (each one is an array: counted like a value)
        count();
        marks.push(stack);
        stack = [];
        break;
      case 0x61: {
        // APPEND
        const value = pop();
        list(top()).push(value as PyValue);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const target = list(top());
        for (const item of items) target.push(item as PyValue);
        break;
      }
      case 0x6c: {
        // LIST (popMark replaces `stack`: take the items before pushing)
        count();
        const items = popMark() as PyValue[];
        stack.push(items);
        break;
      }
      case 0x74: {
        // TUPLE
        count();
        const tuple = new PyTuple(popMark() as PyValue[]);
        stack.push(tuple);
        break;
      }
      case 0x85:
      case 0x86:
      case 0x87: {
        // TUPLE1, TUPLE2, TUPLE3
        const n = code - 0x84;
        if (stack.length < n) refuse('stack underflow');
        count();
        stack.push(new PyTuple(stack.splice(stack.length - n, n) as PyValue[]));
        break;
      }
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        setItem(dict(top()), key, value);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        if (items.length % 2) refuse('SETITEMS with an odd number of items');
        const target = dict(top());
        for (let i = 0; i < items.length; i += 2) setItem(target, items[i] as Item, items[i + 1] as Item);
        break;
      }
      case 0x64: {
        // DICT
        const items = popMark();
        if (items.length % 2) refuse('DICT with an odd number of items');
        count();
        const target = new Map<PyKey, PyValue>();
        for (let i = 0; i < items.length; i += 2) setItem(target, items[i] as Item, items[i + 1] as Item);
        stack.push(target);
        break;
      }
      case 0x30: // POP
        if (stack.length > 0) stack.pop();
        else popMark(); // Python: POP with an empty stack pops the mark
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x71: // BINPUT
        memo.set(take(1)[0] as number, top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const index = code === 0x68 ? (take(1)[0] as number) : u32();
        if (!memo.has(index)) refuse(`memo entry ${index} was never stored`);
        stack.push(memo.get(index) as Item);
        break;
      }
      case 0x93: {
        // STACK_GLOBAL: checked against the allowlist before anything else happens
        const name = pop();
        const module = pop();
        pushGlobal(module, name);
        break;
      }
      case 0x63: {
        // GLOBAL "module\nname\n" (protocols 0 to 3)
        const line = () => {
          const stop = input.indexOf(0x0a, pos);
          if (stop < 0 || stop - pos > 128) refuse('GLOBAL without a short newline-ended name');
          const out = Buffer.from(input.subarray(pos, stop)).toString('latin1');
          pos = stop + 1;
          return out;
        };
        const module = line();
        pushGlobal(module, line());
        break;
      }
      case 0x52: {
        // REDUCE: only one of our own constructors, with arguments of its exact shape
        const args = pop();
        const callable = pop();
        if (!(callable instanceof Global)) refuse('REDUCE of something that is not an allowed constructor');
        if (!(args instanceof PyTuple)) refuse('REDUCE with arguments that are not a tuple');
        count();
        stack.push(construct((callable as Global).constructor_, args as PyTuple, op));
        break;
      }
      default:
        refuse(
          OPCODE_NAMES[code]
            ? `opcode ${OPCODE_NAMES[code]} is not allowed`
            : `opcode 0x${code.toString(16).padStart(2, '0')} is not allowed`,
        );
    }
  }
  return refuse('no STOP');
}
