/**
 * Schema validation of every client frame. A frame either becomes a typed ClientMessage or a
 * problem naming the field; nothing else reaches the command code.
 */
import {
  COMMAND_OPS,
  MAX_WATCHED_SESSIONS,
  type CommandMessage,
  type CommandOp,
  type ClientMessage,
  type ExpiryInput,
  type JsonValue,
  type NackCode,
  type SearchField,
  type SubscribeMessage,
  type Watch,
  type ValuePath,
} from './protocol.js';

export type Parsed =
  | { ok: true; message: ClientMessage }
  | { ok: false; code: NackCode; message: string; id: number | null };

type Obj = Record<string, unknown>;
const isObj = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isId = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

class Problem extends Error {}
const fail = (message: string): never => {
  throw new Problem(message);
};

function str(body: Obj, field: string, optional = false): string | undefined {
  const value = body[field];
  if (value === undefined && optional) return undefined;
  if (typeof value !== 'string' || value.length > 4096)
    fail(`"${field}" must be a string (at most 4096 characters).`);
  return value as string;
}

function handle(body: Obj): string {
  const value = str(body, 'session') ?? '';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(value))
    fail('"session" must be a session handle from listSessions or an event.');
  return value;
}

function revision(body: Obj): { expectedRevision?: string } {
  const value = str(body, 'expectedRevision', true);
  return value === undefined ? {} : { expectedRevision: value };
}

function isJson(value: unknown, depth = 0): value is JsonValue {
  if (depth > 100) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((item) => isJson(item, depth + 1));
  return isObj(value) && Object.values(value).every((item) => isJson(item, depth + 1));
}

function expiry(body: Obj): ExpiryInput {
  const value = body.expiry;
  if (value === null) return null;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.length <= 64) return value;
  if (isObj(value) && typeof value.seconds === 'number' && Number.isFinite(value.seconds))
    return { seconds: value.seconds };
  return fail(
    '"expiry" must be seconds (number; 0 = browser close), an ISO date string, { seconds } or null.',
  );
}

function path(body: Obj): ValuePath {
  const value = body.path;
  if (!Array.isArray(value) || value.length === 0 || value.length > 64 || typeof value[0] !== 'string') {
    fail(
      '"path" must be a non-empty array starting with the session key, then object keys or array indexes.',
    );
  }
  for (const step of value as unknown[]) {
    if (typeof step !== 'string' && !(typeof step === 'number' && Number.isInteger(step) && step >= 0))
      fail('"path" steps must be strings or non-negative integers.');
  }
  return value as ValuePath;
}

function watch(value: unknown): Watch {
  if (!isObj(value) || typeof value.all !== 'boolean' || !Array.isArray(value.sessions))
    fail('"watch" must be { all: boolean, sessions: handle[] }.');
  const { all, sessions } = value as { all: boolean; sessions: unknown[] };
  if (sessions.length > MAX_WATCHED_SESSIONS)
    fail(`"watch.sessions" may name at most ${MAX_WATCHED_SESSIONS} sessions.`);
  for (const item of sessions) {
    if (typeof item !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(item))
      fail('"watch.sessions" must hold session handles from events or listSessions.');
  }
  return { all, sessions: sessions as string[] };
}

const SEARCH_FIELDS: readonly SearchField[] = ['handle', 'key', 'value', 'any'];

function command(op: CommandOp, id: number, body: Obj): CommandMessage {
  const base = { v: 1 as const, type: 'command' as const, id };
  switch (op) {
    case 'listSessions': {
      const limit = body.limit;
      if (limit !== undefined && !(typeof limit === 'number' && Number.isInteger(limit) && limit > 0))
        fail('"limit" must be a positive integer.');
      const cursor = body.cursor === null ? null : str(body, 'cursor', true);
      const field = body.field;
      if (field !== undefined && !SEARCH_FIELDS.includes(field as SearchField))
        fail(`"field" must be one of ${SEARCH_FIELDS.join(', ')}.`);
      const includeExpired = body.includeExpired;
      if (includeExpired !== undefined && typeof includeExpired !== 'boolean')
        fail('"includeExpired" must be true or false.');
      return {
        ...base,
        op,
        cursor,
        limit: limit as number | undefined,
        query: str(body, 'query', true),
        field: field as SearchField | undefined,
        includeExpired: includeExpired as boolean | undefined,
      };
    }
    case 'getSession':
      return { ...base, op, session: handle(body) };
    case 'getValue':
      return { ...base, op, session: handle(body), path: path(body) };
    case 'set': {
      if (!('value' in body) || !isJson(body.value))
        fail('"value" must be JSON (null, boolean, finite number, string, array or object).');
      return {
        ...base,
        op,
        session: handle(body),
        key: str(body, 'key') ?? '',
        value: body.value as JsonValue,
        ...revision(body),
      };
    }
    case 'pop':
      return { ...base, op, session: handle(body), key: str(body, 'key') ?? '', ...revision(body) };
    case 'cycleKey': {
      const browserKey = str(body, 'browserKey', true);
      return {
        ...base,
        op,
        session: handle(body),
        ...revision(body),
        ...(browserKey === undefined ? {} : { browserKey }),
      };
    }
    case 'flush':
    case 'expireNow':
      return { ...base, op, session: handle(body), ...revision(body) };
    case 'setExpiry':
      if (!('expiry' in body)) fail('"expiry" is required (use null for the global policy).');
      return { ...base, op, session: handle(body), expiry: expiry(body), ...revision(body) };
    case 'clearExpired':
      return { ...base, op };
    case 'clockReset':
      return { ...base, op };
    case 'clockTravel': {
      const seconds = body.seconds;
      const to = str(body, 'to', true);
      if ((seconds === undefined) === (to === undefined))
        fail('clockTravel takes exactly one of "seconds" (a number) or "to" (an ISO date).');
      if (seconds !== undefined && !(typeof seconds === 'number' && Number.isFinite(seconds)))
        fail('"seconds" must be a finite number.');
      return { ...base, op, ...(to === undefined ? { seconds: seconds as number } : { to }) };
    }
  }
}

/**
 * A field quoted back in a nack. Never String(value): JSON like {"toString": null} makes that throw
 * ("Cannot convert object to primitive value"), which escaped as an exception (found by fuzzing).
 */
function shown(value: unknown): string {
  return (typeof value === 'string' ? value : (JSON.stringify(value) ?? typeof value)).slice(0, 40);
}

export function parseClientFrame(text: string): Parsed {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, code: 'bad_request', message: 'The frame is not valid JSON.', id: null };
  }
  if (!isObj(raw))
    return { ok: false, code: 'bad_request', message: 'A frame must be a JSON object.', id: null };
  const id = isId(raw.id) ? raw.id : null;
  if (raw.v !== 1) return { ok: false, code: 'bad_request', message: 'Every frame needs "v": 1.', id };
  try {
    switch (raw.type) {
      case 'hello': {
        const protocol = raw.protocol;
        if (!isObj(protocol) || !isId(protocol.min) || !isId(protocol.max))
          fail('"protocol" must be { min, max } version numbers.');
        const range = protocol as { min: number; max: number };
        const client = raw.client;
        if (client !== 'extension' && client !== 'inspector' && client !== 'cli' && client !== 'test')
          fail('"client" must be extension, inspector, cli or test.');
        return {
          ok: true,
          message: {
            v: 1,
            type: 'hello',
            client: client as 'extension',
            clientVersion: typeof raw.clientVersion === 'string' ? raw.clientVersion.slice(0, 40) : '',
            protocol: { min: range.min, max: range.max },
          },
        };
      }
      case 'subscribe': {
        const since = raw.sinceSeq;
        if (since !== undefined && !isId(since)) fail('"sinceSeq" must be a non-negative integer.');
        const message: SubscribeMessage = { v: 1, type: 'subscribe' };
        if (since !== undefined) message.sinceSeq = since as number;
        if (raw.watch !== undefined) message.watch = watch(raw.watch);
        return { ok: true, message };
      }
      case 'watch':
        return { ok: true, message: { v: 1, type: 'watch', watch: watch(raw.watch) } };
      case 'unsubscribe':
        return { ok: true, message: { v: 1, type: 'unsubscribe' } };
      case 'command': {
        if (id === null) fail('A command needs a numeric "id".');
        if (!COMMAND_OPS.includes(raw.op as CommandOp)) {
          return {
            ok: false,
            code: 'unknown_op',
            message: `Unknown op ${JSON.stringify(shown(raw.op))}; known ops: ${COMMAND_OPS.join(', ')}.`,
            id,
          };
        }
        return { ok: true, message: command(raw.op as CommandOp, id as number, raw) };
      }
      default:
        return {
          ok: false,
          code: 'bad_request',
          message: `Unknown frame type ${JSON.stringify(shown(raw.type))}.`,
          id,
        };
    }
  } catch (error) {
    if (error instanceof Problem) return { ok: false, code: 'bad_request', message: error.message, id };
    throw error;
  }
}
