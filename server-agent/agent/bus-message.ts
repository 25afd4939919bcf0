/**
 * What travels on the agent bus, and the check every received message passes before it reaches the
 * hub. Messages carry wire events only (redacted previews, handles, `‹handle›` for cookie values),
 * never raw keys. A message of another deployment or of a bad shape is dropped and counted.
 */
import type { ClockState, WireEvent, WireEventType } from './protocol.js';
import type { Route } from './request-router.js';

/** Which process an event came from, as the UI shows it. */
export interface ProcessTag {
  /** `host:pid:nonce`, unique per agent. */
  id: string;
  host: string;
  pid: number;
  app: string;
}

/** One recorded stream item: how the origin routed it, its routing handle, whether the request was also sent whole. */
export type BusItem = [route: Route, handle: string | null, full: 0 | 1, event: WireEvent];

export type BusMessage =
  | { v: 1; dep: string; from: ProcessTag; kind: 'events'; items: BusItem[] }
  | {
      v: 1;
      dep: string;
      from: ProcessTag;
      /** Sent every couple of seconds and when what this agent's clients watch changes. */
      kind: 'presence';
      clients: number;
      watch: { all: boolean; sessions: string[] };
      clock: ClockState;
      dropped: number;
    };

export type BusVerdict =
  | { ok: true; message: BusMessage }
  | { ok: false; reason: 'other-deployment' | 'bad-shape' | 'own' };

const HANDLE = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_ITEMS = 5000;

type Kind = 's' | 'n' | 'b' | 'a' | 'o';
/** The fields the UI reads from each event type, with their kinds; anything else is not trusted further. */
const FIELDS: Record<WireEventType, Record<string, Kind>> = {
  'request.start': { method: 's', path: 's', cookiePresent: 'b' },
  'request.end': { method: 's', path: 's', status: 'n', ms: 'n', accessed: 'b', modified: 'b', saved: 'b' },
  'request.summary': { method: 's', path: 's', status: 'n', ms: 'n', events: 'n', saved: 'b' },
  // Never travels on the bus: each process counts what its own budget skipped, for its own clients.
  'requests.skipped': { never: 'o' },
  'session.loaded': { outcome: 's', keys: 'n', ms: 'n' },
  'session.created': {},
  'session.modified': { key: 's', op: 's' },
  'session.saved': { ms: 'n', bytes: 'n', keys: 'a' },
  'session.deleted': {},
  'session.flushed': { keys: 'a' },
  'session.keyCycled': { to: 's' },
  'session.expiryChanged': { policy: 's' },
  'session.expired': { reason: 's' },
  'session.interrupted': { message: 's' },
  'session.conflict': { overwrittenKeys: 'a' },
  'session.warning': { code: 's', message: 's' },
  'cookie.set': { cookie: 'o', header: 's' },
  'cookie.deleted': { cookie: 'o', header: 's' },
  'clock.changed': { offsetSeconds: 'n', frozen: 'b' },
  'agent.command': { op: 's', client: 's', ok: 'b' },
  // Never travels on the bus: each agent reports its own.
  'agent.bus': { never: 'o' },
};

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const short = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max;

function kindOk(value: unknown, kind: Kind): boolean {
  switch (kind) {
    case 's':
      return short(value, 8192);
    case 'n':
      return typeof value === 'number' && Number.isFinite(value);
    case 'b':
      return typeof value === 'boolean';
    case 'a':
      return Array.isArray(value) && value.length <= 10_000 && value.every((item) => short(item, 4096));
    case 'o':
      return isObj(value);
  }
}

function eventOk(value: unknown): value is WireEvent {
  if (!isObj(value) || typeof value.type !== 'string' || !Object.hasOwn(FIELDS, value.type)) return false;
  if (typeof value.at !== 'number' || !Number.isFinite(value.at)) return false;
  if (value.session !== undefined && !(typeof value.session === 'string' && HANDLE.test(value.session)))
    return false;
  if (value.requestId !== undefined && !short(value.requestId, 64)) return false;
  const fields = FIELDS[value.type as WireEventType];
  for (const [field, kind] of Object.entries(fields)) if (!kindOk(value[field], kind)) return false;
  return true;
}

function tagOk(value: unknown): value is ProcessTag {
  return (
    isObj(value) &&
    short(value.id, 128) &&
    short(value.host, 255) &&
    short(value.app, 100) &&
    Number.isSafeInteger(value.pid)
  );
}

function itemOk(value: unknown): value is BusItem {
  if (!Array.isArray(value) || value.length !== 4) return false;
  const [route, handle, full, event] = value as unknown[];
  return (
    (route === 0 || route === 1 || route === 2) &&
    (handle === null || (typeof handle === 'string' && HANDLE.test(handle))) &&
    (full === 0 || full === 1) &&
    eventOk(event)
  );
}

export function parseBusMessage(text: string, deployment: string, selfId: string): BusVerdict {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'bad-shape' };
  }
  if (!isObj(raw) || raw.v !== 1 || !tagOk(raw.from)) return { ok: false, reason: 'bad-shape' };
  if (raw.dep !== deployment) return { ok: false, reason: 'other-deployment' };
  if (raw.from.id === selfId) return { ok: false, reason: 'own' };
  if (raw.kind === 'events') {
    if (!Array.isArray(raw.items) || raw.items.length > MAX_ITEMS || !raw.items.every(itemOk))
      return { ok: false, reason: 'bad-shape' };
    return { ok: true, message: raw as BusMessage };
  }
  if (raw.kind === 'presence') {
    const watch = raw.watch;
    const clock = raw.clock;
    if (
      !Number.isSafeInteger(raw.clients) ||
      !Number.isSafeInteger(raw.dropped) ||
      !isObj(watch) ||
      typeof watch.all !== 'boolean' ||
      !Array.isArray(watch.sessions) ||
      watch.sessions.length > 1000 ||
      !watch.sessions.every((h) => typeof h === 'string' && HANDLE.test(h)) ||
      !isObj(clock) ||
      !kindOk(clock.now, 'n') ||
      !kindOk(clock.offsetSeconds, 'n') ||
      !kindOk(clock.frozen, 'b')
    )
      return { ok: false, reason: 'bad-shape' };
    return { ok: true, message: raw as BusMessage };
  }
  return { ok: false, reason: 'bad-shape' };
}
