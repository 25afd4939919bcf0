/**
 * Lifetime caps beyond Django (LC-4, LC-5): an absolute lifetime counted from creation and an idle
 * timeout counted from the last saved activity, both judged on the server against the session
 * clock. The stamps live in the session data under reserved keys, and only while a cap is on, so
 * with both settings null (the default) the stored bytes are exactly Django's.
 */
import type { JsonValue, SessionData } from './serializer.js';
import type { SessionSettings } from './settings.js';

/** Epoch seconds when the session was first saved; never moved by activity or key rotation. */
export const CREATED_AT_KEY = '_sessionscope_created';
/** Epoch seconds of the last save; an idle-capped session is touched (re-saved) by reads too. */
export const ACTIVE_AT_KEY = '_sessionscope_active';

type CapSettings = Pick<SessionSettings, 'sessionAbsoluteLifetime' | 'sessionIdleTimeout'>;

export function capsEnabled(settings: CapSettings): boolean {
  return settings.sessionAbsoluteLifetime !== null || settings.sessionIdleTimeout !== null;
}

const seconds = (value: JsonValue | undefined): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;

/** The moment (ms) the first cap runs out, or null when no cap applies to this data. */
function capDeadlineMs(data: SessionData, settings: CapSettings): number | null {
  let deadline: number | null = null;
  const created = seconds(data.get(CREATED_AT_KEY));
  if (settings.sessionAbsoluteLifetime !== null && created !== null)
    deadline = (created + settings.sessionAbsoluteLifetime) * 1000;
  const active = seconds(data.get(ACTIVE_AT_KEY));
  if (settings.sessionIdleTimeout !== null && active !== null) {
    const idleDeadline = (active + settings.sessionIdleTimeout) * 1000;
    deadline = deadline === null ? idleDeadline : Math.min(deadline, idleDeadline);
  }
  return deadline;
}

/** The deadline that has passed (ms), or null while the session is within every cap. */
export function capExceededAt(data: SessionData, settings: CapSettings, nowMs: number): number | null {
  const deadline = capDeadlineMs(data, settings);
  return deadline !== null && nowMs >= deadline ? deadline : null;
}

/**
 * Writes the stamps before a save. `createdAt` is what the session was loaded with, so a cleared
 * Map (session.clear()) cannot restart the absolute lifetime.
 */
export function stampCaps(
  data: SessionData,
  settings: CapSettings,
  nowMs: number,
  createdAt: number | null,
): void {
  const now = Math.floor(nowMs / 1000);
  if (settings.sessionAbsoluteLifetime !== null && seconds(data.get(CREATED_AT_KEY)) === null)
    data.set(CREATED_AT_KEY, createdAt ?? now);
  if (settings.sessionIdleTimeout !== null) data.set(ACTIVE_AT_KEY, now);
}

/** Reads refresh an idle-capped session at most this often (seconds), so reads do not write every time. */
export function touchIntervalSeconds(settings: CapSettings): number | null {
  if (settings.sessionIdleTimeout === null) return null;
  return Math.max(1, Math.min(60, Math.floor(settings.sessionIdleTimeout / 10)));
}

/** True when a read of this data should count as activity and re-save the session. */
export function needsTouch(data: SessionData, settings: CapSettings, nowMs: number): boolean {
  const interval = touchIntervalSeconds(settings);
  if (interval === null) return false;
  const active = seconds(data.get(ACTIVE_AT_KEY));
  return active === null || nowMs / 1000 - active >= interval;
}

export function createdAtOf(data: SessionData): number | null {
  return seconds(data.get(CREATED_AT_KEY));
}
