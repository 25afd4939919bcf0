/**
 * The expiry half of Django's SessionBase over already-loaded data: get_expiry_age/date,
 * get_expire_at_browser_close and set_expiry's change to the data, plus its event. session.ts
 * loads the data and calls these, so the rules live in one place.
 */
import { type ExpiryValue, expiryAge, expiryDate, storedExpiry } from './expiry.js';
import type { JsonValue, SessionData } from './serializer.js';
import { EXPIRY_KEY, type ExpiryOptions, type SessionContext } from './session-context.js';
import { expiryPolicy } from './session-events.js';

/** The expiry the options name, or the stored one (`undefined` data: the caller must load it). */
export function givenExpiry(options: ExpiryOptions): { value: JsonValue | undefined } | null {
  if (!('expiry' in options)) return null;
  const given = options.expiry;
  return { value: given instanceof Date ? given.toISOString() : given };
}

export function ageFor(ctx: SessionContext, expiry: JsonValue | undefined, options: ExpiryOptions): number {
  const modification = options.modification?.getTime() ?? ctx.clock.nowMs();
  return expiryAge(expiry, modification, ctx.settings.sessionCookieAge);
}

export function dateFor(ctx: SessionContext, expiry: JsonValue | undefined, options: ExpiryOptions): Date {
  const modification = options.modification?.getTime() ?? ctx.clock.nowMs();
  return expiryDate(expiry, modification, ctx.settings.sessionCookieAge);
}

export function browserCloseFor(ctx: SessionContext, data: SessionData): boolean {
  const expiry = data.get(EXPIRY_KEY);
  if (expiry === undefined || expiry === null) return ctx.settings.sessionExpireAtBrowserClose;
  return expiry === 0 || expiry === false;
}

/** set_expiry on the data: undefined when nothing changed (clearing an expiry that was not set). */
export function applyExpiry(
  ctx: SessionContext,
  data: SessionData,
  value: ExpiryValue,
): { before: JsonValue | undefined; stored: JsonValue | undefined } | undefined {
  const stored = storedExpiry(value, ctx.clock.nowMs());
  const before = data.get(EXPIRY_KEY);
  if (stored === undefined) {
    if (!data.has(EXPIRY_KEY)) return undefined;
    data.delete(EXPIRY_KEY);
  } else data.set(EXPIRY_KEY, stored);
  return { before, stored };
}

export function emitExpiryChanged(
  ctx: SessionContext,
  base: { at: number; requestId?: string; session?: string },
  data: SessionData,
  stored: JsonValue | undefined,
): void {
  const browserClose = browserCloseFor(ctx, data);
  ctx.events.emit('session.expiryChanged', {
    ...base,
    policy: expiryPolicy(stored, browserClose),
    value: stored === undefined ? null : (stored as number | string),
    expiresAt: browserClose ? null : dateFor(ctx, data.get(EXPIRY_KEY), {}).getTime(),
  });
}
