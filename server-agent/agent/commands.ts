/**
 * The closed set of agent commands. Every write goes through the app's own Session code path
 * (open, load, set/pop/flush/cycleKey/setExpiry, save), so the serializer, the save rules and the
 * lifecycle events are exactly the app's. Never code in strings.
 */
import { timingSafeEqual } from 'node:crypto';
import {
  SessionError,
  SessionKeyMissing,
  SessionValueError,
  StoreUnavailable,
  UpdateError,
} from '../sessions/errors.js';
import { parseIso } from '../sessions/expiry.js';
import type { ExpiryValue } from '../sessions/expiry.js';
import { pythonJsonSerializer, type SessionData } from '../sessions/serializer.js';
import { EXPIRY_KEY, type Session } from '../sessions/session.js';
import { expiryPolicy } from '../sessions/session-events.js';
import { type CommandContext, CommandFailure, revisionOf } from './command-context.js';
import { findKey } from './find-handle.js';
import { listSessions } from './list.js';
import { jsonBytes, preview, valueAt } from './preview.js';
import {
  type AckMessage,
  type ClockState,
  type CommandMessage,
  type CommandOp,
  type CommandResults,
  type SessionView,
  WRITE_OPS,
} from './protocol.js';
import { expiredByTravel } from './travel.js';

type Result<K extends CommandOp> = CommandResults[K];
type Cmd<K extends CommandOp> = Extract<CommandMessage, { op: K }>;

export async function runCommand(
  ctx: CommandContext,
  command: CommandMessage,
  requestId: string,
): Promise<AckMessage> {
  if (ctx.readOnly && WRITE_OPS.includes(command.op)) {
    throw new CommandFailure(
      'read_only',
      `The agent is read-only; "${command.op}" changes state. Start it with readOnly: false to allow edits.`,
    );
  }
  try {
    const result = await dispatch(ctx, command, requestId);
    return { v: 1, type: 'ack', id: command.id, op: command.op, result } as AckMessage;
  } catch (error) {
    throw asFailure(error);
  }
}

function asFailure(error: unknown): CommandFailure {
  if (error instanceof CommandFailure) return error;
  if (error instanceof SessionValueError) return new CommandFailure('invalid_value', error.message);
  if (error instanceof SessionKeyMissing) return new CommandFailure('not_found', error.message);
  if (error instanceof UpdateError)
    return new CommandFailure(
      'not_found',
      'The session vanished while the command ran (deleted by another request).',
    );
  if (error instanceof StoreUnavailable) return new CommandFailure('store_error', error.message);
  if (error instanceof RangeError || error instanceof TypeError)
    return new CommandFailure('invalid_value', error.message);
  if (error instanceof SessionError)
    return new CommandFailure('store_error', `${error.code}: ${error.message}`);
  return new CommandFailure('internal', error instanceof Error ? error.message : String(error));
}

async function dispatch(
  ctx: CommandContext,
  command: CommandMessage,
  requestId: string,
): Promise<Result<CommandOp>> {
  switch (command.op) {
    case 'listSessions':
      return listSessions(ctx, command);
    case 'getSession': {
      const { session } = await open(ctx, command.session, requestId);
      return view(ctx, command.session, session);
    }
    case 'getValue':
      return getValue(ctx, command, requestId);
    case 'set': {
      const bytes = jsonBytes(command.value);
      if (bytes > ctx.limits.maxSetBytes)
        throw new CommandFailure(
          'too_large',
          `The value is ${bytes} bytes of JSON; the agent accepts at most ${ctx.limits.maxSetBytes}.`,
        );
      const { session } = await openForWrite(ctx, command, requestId);
      await session.set(command.key, command.value);
      await session.save();
      return { revision: revisionOf(new Map(await session.items())) };
    }
    case 'pop': {
      const { session, data } = await openForWrite(ctx, command, requestId);
      if (!data.has(command.key))
        throw new CommandFailure('not_found', `The session has no key ${JSON.stringify(command.key)}.`);
      const removed = await session.pop(command.key);
      await session.save();
      return {
        revision: revisionOf(new Map(await session.items())),
        removed: preview(removed ?? null, command.key, ctx.redact, ctx.previewLimits),
      };
    }
    case 'flush': {
      const { session } = await openForWrite(ctx, command, requestId);
      await session.flush();
      return { flushed: true };
    }
    case 'cycleKey': {
      const { session } = await openForWrite(ctx, command, requestId);
      const old = session.sessionKey;
      await session.cycleKey();
      const key = session.sessionKey;
      if (key === null) throw new CommandFailure('store_error', 'The store did not issue a new key.');
      // The browser still holds the old cookie: carry it over once (key-forwards.ts, docs/agent.md).
      if (old !== null && old !== key)
        ctx.sessions.forwards.add(old, key, ctx.sessions.settings.sessionCookieAge * 1000);
      const proved = old !== null && command.browserKey !== undefined && sameKey(command.browserKey, old);
      return {
        from: command.session,
        to: ctx.sessions.handles.handleFor(key),
        revision: revisionOf(new Map(await session.items())),
        ...(proved ? { cookieValue: key } : {}),
      };
    }
    case 'setExpiry': {
      const { session } = await openForWrite(ctx, command, requestId);
      await session.setExpiry(expiryValue(command.expiry));
      await session.save();
      return { revision: revisionOf(new Map(await session.items())), expiry: await expiryView(session) };
    }
    case 'expireNow': {
      const { session } = await openForWrite(ctx, command, requestId);
      await session.setExpiry(-1);
      await session.save();
      const { events, clock } = ctx.sessions;
      if (events.active)
        events.emit('session.expired', {
          at: clock.nowMs(),
          requestId,
          session: command.session,
          reason: 'expire-now',
          expiredAt: clock.nowMs(),
        });
      return { expired: true };
    }
    case 'clearExpired':
      return { removed: await ctx.sessions.clearExpired() };
    case 'clockTravel':
    case 'clockReset':
      return travel(ctx, command, requestId);
  }
}

function sameKey(given: string, key: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(key);
  return a.length === b.length && timingSafeEqual(a, b);
}

function expiryValue(input: Cmd<'setExpiry'>['expiry']): ExpiryValue {
  if (typeof input !== 'string') return input;
  const date = parseIso(input);
  if (!date)
    throw new CommandFailure(
      'invalid_value',
      `${JSON.stringify(input)} is not an ISO 8601 date such as 2030-01-02T03:04:05+00:00.`,
    );
  return date;
}

async function travel(
  ctx: CommandContext,
  command: Cmd<'clockTravel'> | Cmd<'clockReset'>,
  requestId: string,
): Promise<ClockState & { expired: string[] }> {
  const { clock } = ctx.sessions;
  let move: () => void;
  if (command.op === 'clockReset') move = () => clock.reset();
  else if (command.to !== undefined) {
    const target = parseIso(command.to);
    if (!target)
      throw new CommandFailure('invalid_value', `${JSON.stringify(command.to)} is not an ISO 8601 date.`);
    move = () => clock.travel((target.getTime() - clock.nowMs()) / 1000);
  } else {
    const seconds = command.seconds ?? 0;
    move = () => clock.travel(seconds);
  }
  const expired = await expiredByTravel(ctx.sessions, move, requestId);
  return { now: clock.nowMs(), offsetSeconds: clock.offsetSeconds, frozen: clock.frozen, expired };
}

async function getValue(
  ctx: CommandContext,
  command: Cmd<'getValue'>,
  requestId: string,
): Promise<Result<'getValue'>> {
  const { data } = await open(ctx, command.session, requestId);
  const found = valueAt(data, command.path, ctx.redact);
  if (!found.found) throw new CommandFailure('not_found', `Nothing at path ${JSON.stringify(command.path)}.`);
  const bytes = jsonBytes(found.value);
  const value = found.redacted
    ? { t: 'redacted' as const, bytes }
    : preview(found.value, found.lastKey, ctx.redact, {
        ...ctx.previewLimits,
        inlineBytes: ctx.limits.maxFetchBytes,
      });
  return { session: command.session, path: command.path, value };
}

/** Loads the session behind a handle through the app's Session; not_found when it is gone. */
async function open(
  ctx: CommandContext,
  handle: string,
  requestId: string,
): Promise<{ session: Session; data: SessionData }> {
  const key = await findKey(ctx.sessions, handle);
  if (key === null)
    throw new CommandFailure(
      'not_found',
      ctx.sessions.handles.shared
        ? 'No session in the store has this handle (gone, or never saved); list the sessions again.'
        : 'Unknown session handle (handles last for this process only); list the sessions again.',
    );
  const session = ctx.sessions.open(key);
  session.requestId = requestId;
  const data = new Map(await session.items());
  if (session.sessionKey === null) {
    throw new CommandFailure('not_found', 'The session no longer exists (expired, flushed or deleted).');
  }
  return { session, data };
}

async function openForWrite(
  ctx: CommandContext,
  command: Cmd<'set' | 'pop' | 'flush' | 'cycleKey' | 'setExpiry' | 'expireNow'>,
  requestId: string,
) {
  if (!ctx.sessions.store.capabilities.serverSide) {
    throw new CommandFailure(
      'unsupported',
      'With signed_cookies the browser holds the session; change it through a request to the app.',
    );
  }
  const opened = await open(ctx, command.session, requestId);
  const current = revisionOf(opened.data);
  if (command.expectedRevision !== undefined && command.expectedRevision !== current) {
    throw new CommandFailure(
      'conflict',
      'The session changed since you last saw it; reload it and try again.',
      current,
    );
  }
  return opened;
}

async function expiryView(session: Session): Promise<SessionView['expiry']> {
  const stored = await session.get(EXPIRY_KEY);
  const browserClose = await session.getExpireAtBrowserClose();
  return {
    policy: expiryPolicy(stored, browserClose),
    value: typeof stored === 'number' || typeof stored === 'string' ? stored : null,
    expiresAt: browserClose ? null : (await session.getExpiryDate()).getTime(),
    browserClose,
  };
}

/**
 * For an age-based expiry (the global age, or idle seconds) Django's get_expiry_date() counts from
 * "now", which for a session nobody touched is not when it expires: the store's record says that
 * (what All sessions lists). Read it back; the app's own Session has no such read.
 */
async function storedExpiry(
  ctx: CommandContext,
  handle: string,
  expiry: SessionView['expiry'],
): Promise<SessionView['expiry']> {
  if (expiry.browserClose || (expiry.policy !== 'default' && expiry.policy !== 'idle-seconds')) return expiry;
  const key = ctx.sessions.handles.keyFor(handle);
  if (key === null || !ctx.sessions.store.capabilities.serverSide) return expiry;
  try {
    const record = await ctx.sessions.store.load(key);
    return record.outcome === 'hit' && record.expiresAt
      ? { ...expiry, expiresAt: record.expiresAt.getTime() }
      : expiry;
  } catch {
    return expiry;
  }
}

async function view(ctx: CommandContext, handle: string, session: Session): Promise<SessionView> {
  const data = new Map(await session.items());
  let redacted = 0;
  const entries = [...data].map(([key, value]): [string, ReturnType<typeof preview>] => {
    const shown = preview(value, key, ctx.redact, ctx.previewLimits);
    if (shown.t === 'redacted') redacted++;
    return [key, shown];
  });
  return {
    session: handle,
    revision: revisionOf(data),
    expiry: await storedExpiry(ctx, handle, await expiryView(session)),
    bytes: Buffer.byteLength(pythonJsonSerializer.dumps(data)),
    entries,
    redacted,
  };
}
