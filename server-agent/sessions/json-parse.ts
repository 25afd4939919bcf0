/**
 * Parses a session payload into an insertion-ordered Map. JSON.parse is the fast path; the
 * hand-written parser handles what it cannot: Python's NaN/Infinity and top-level integer-like
 * keys, whose order a JS object would not keep.
 */
import type { JsonValue, SessionData } from './json-types.js';

const INDEX_LIKE = /^(?:0|[1-9]\d{0,9})$/;
const MAX_DEPTH = 1000;

export function parseOrderedJson(text: string): SessionData {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return toMap(new OrderedParser(text).parseDocument());
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new SyntaxError('A session payload must be a JSON object.');
  }
  // One pass over the keys builds the Map; an integer-like key (a JS object put it first, out of
  // the document's order) sends the document to the ordered parser instead.
  const object = parsed as Record<string, JsonValue>;
  const keys = Object.keys(object);
  const map: SessionData = new Map();
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const first = key.charCodeAt(0);
    if (first >= 0x30 && first <= 0x39 && INDEX_LIKE.test(key))
      return toMap(new OrderedParser(text).parseDocument());
    map.set(key, object[key]!);
  }
  return map;
}

/**
 * Python's json.loads for any document (signing.loads): JSON plus NaN, Infinity and -Infinity.
 * Objects come back as plain objects.
 */
export function parsePythonJson(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return new OrderedParser(text).parseAny();
  }
}

function toMap(value: JsonValue | Map<string, JsonValue>): SessionData {
  if (!(value instanceof Map)) throw new SyntaxError('A session payload must be a JSON object.');
  return value;
}

class OrderedParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parseDocument(): JsonValue | Map<string, JsonValue> {
    this.ws();
    if (this.text[this.pos] !== '{') throw this.error('expected an object');
    const top = this.object(0, true);
    this.ws();
    if (this.pos !== this.text.length) throw this.error('trailing characters');
    return top;
  }

  parseAny(): JsonValue {
    const value = this.value(0);
    this.ws();
    if (this.pos !== this.text.length) throw this.error('trailing characters');
    return value;
  }

  private value(depth: number): JsonValue {
    if (depth > MAX_DEPTH) throw this.error(`nesting deeper than ${MAX_DEPTH}`);
    this.ws();
    const ch = this.text[this.pos];
    if (ch === '{') return this.object(depth, false) as JsonValue;
    if (ch === '[') return this.array(depth);
    if (ch === '"') return this.string();
    for (const [word, result] of LITERALS) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return result;
      }
    }
    return this.number();
  }

  private object(depth: number, ordered: boolean): Map<string, JsonValue> | { [key: string]: JsonValue } {
    this.pos++;
    const map = new Map<string, JsonValue>();
    this.ws();
    if (this.text[this.pos] === '}') {
      this.pos++;
    } else {
      for (;;) {
        this.ws();
        if (this.text[this.pos] !== '"') throw this.error('expected a key');
        const key = this.string();
        this.ws();
        if (this.text[this.pos++] !== ':') throw this.error('expected ":"');
        map.set(key, this.value(depth + 1));
        this.ws();
        const sep = this.text[this.pos++];
        if (sep === '}') break;
        if (sep !== ',') throw this.error('expected "," or "}"');
      }
    }
    if (ordered) return map;
    const plain: { [key: string]: JsonValue } = {};
    // defineProperty, not assignment: a "__proto__" key stays plain data.
    for (const [key, item] of map)
      Object.defineProperty(plain, key, {
        value: item,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return plain;
  }

  private array(depth: number): JsonValue[] {
    this.pos++;
    const items: JsonValue[] = [];
    this.ws();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return items;
    }
    for (;;) {
      items.push(this.value(depth + 1));
      this.ws();
      const sep = this.text[this.pos++];
      if (sep === ']') return items;
      if (sep !== ',') throw this.error('expected "," or "]"');
    }
  }

  private string(): string {
    const start = this.pos;
    this.pos++;
    for (;;) {
      const ch = this.text[this.pos];
      if (ch === undefined) throw this.error('unterminated string');
      if (ch === '\\') this.pos += 2;
      else if (ch === '"') break;
      else this.pos++;
    }
    this.pos++;
    return JSON.parse(this.text.slice(start, this.pos)) as string;
  }

  private number(): number {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(
      this.text.slice(this.pos, this.pos + 400),
    );
    if (!match) throw this.error('unexpected character');
    this.pos += match[0].length;
    return Number(match[0]);
  }

  private ws(): void {
    while (/[ \t\n\r]/.test(this.text[this.pos] ?? '')) this.pos++;
  }

  private error(what: string): SyntaxError {
    return new SyntaxError(`Invalid session JSON at offset ${this.pos}: ${what}.`);
  }
}

const LITERALS: [string, JsonValue][] = [
  ['true', true],
  ['false', false],
  ['null', null],
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
];
