/**
 * The Python values the restricted pickle codec knows. Plain JS values stand for most of them
 * (null, boolean, number, string, arrays for lists); the classes below keep apart what JS cannot:
 * tuples, integral floats, datetimes. Everything here is inert data: nothing is ever called.
 */

/** A Python tuple (immutable; written with TUPLE1/2/3 or MARK … TUPLE). */
export class PyTuple {
  constructor(readonly items: readonly PyValue[]) {}
}

/** A float whose value is integral (2.0): a bare JS number with an integral value pickles as int. */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** A fixed UTC offset: datetime.timezone, or pytz.utc (Django 3.2's timezone.utc, read only). */
export class PyTimezone {
  constructor(
    readonly offsetSeconds: number,
    readonly pytz = false,
  ) {}
}

/** datetime.datetime, datetime.date or datetime.time, field by field as Python stores them. */
export class PyDatetime {
  constructor(
    readonly kind: 'datetime' | 'date' | 'time',
    readonly year: number,
    readonly month: number,
    readonly day: number,
    readonly hour: number,
    readonly minute: number,
    readonly second: number,
    readonly microsecond: number,
    /** null: naive. */
    readonly tz: PyTimezone | null,
  ) {}

  /** Python's isoformat(). */
  isoformat(): string {
    const pad = (n: number, width = 2) => String(n).padStart(width, '0');
    const date = `${pad(this.year, 4)}-${pad(this.month)}-${pad(this.day)}`;
    if (this.kind === 'date') return date;
    let time = `${pad(this.hour)}:${pad(this.minute)}:${pad(this.second)}`;
    if (this.microsecond) time += `.${pad(this.microsecond, 6)}`;
    if (this.tz) time += formatOffset(this.tz.offsetSeconds);
    return this.kind === 'time' ? time : `${date}T${time}`;
  }
}

/** datetime.timedelta (days, seconds, microseconds). */
export class PyTimedelta {
  constructor(
    readonly days: number,
    readonly seconds: number,
    readonly microseconds: number,
  ) {}
  totalSeconds(): number {
    return this.days * 86_400 + this.seconds + this.microseconds / 1e6;
  }
}

function formatOffset(offsetSeconds: number): string {
  const sign = offsetSeconds < 0 ? '-' : '+';
  const abs = Math.abs(offsetSeconds);
  const hh = String(Math.floor(abs / 3600)).padStart(2, '0');
  const mm = String(Math.floor((abs % 3600) / 60)).padStart(2, '0');
  const ss = abs % 60;
  return `${sign}${hh}:${mm}${ss ? `:${String(ss).padStart(2, '0')}` : ''}`;
}

export type PyKey = string | number | bigint | boolean | null | PyFloat | PyTuple;

export type PyValue =
  | null
  | boolean
  /** int when integral (and safe), else float. */
  | number
  /** int outside ±2^53. */
  | bigint
  | PyFloat
  | string
  /** bytes. */
  | Uint8Array
  /** list. */
  | PyValue[]
  | PyTuple
  /** dict, insertion-ordered. */
  | Map<PyKey, PyValue>
  | PyDatetime
  | PyTimedelta;

/** Why a pickle was refused: always before any value was built from the offending opcode. */
export class PickleRefused extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {
    super(`pickle refused at byte ${offset}: ${reason}`);
    this.name = 'PickleRefused';
  }
}
