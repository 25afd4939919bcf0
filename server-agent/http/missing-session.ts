/**
 * U5: a route registered before sessionscope's middleware reads `req.session` / `ctx.session` while
 * it is still unset, and used to die with "Cannot read properties of undefined (reading 'get')".
 * Once an app creates the middleware, the prototype requests (or Koa contexts) inherit from answers
 * such reads with a stand-in whose every use throws ImproperlyConfigured naming the order fix. The
 * middleware's own assignment goes through the guard's setter into a WeakMap keyed by the request,
 * which the getter reads from then on, so the stand-in is never seen after it ran. Not a property
 * per request: Object.defineProperty on every request cost ~1 µs (profiled on Koa), and Express
 * gives each request a prototype of its own (Object.setPrototypeOf), after which any property
 * added to it, a symbol-keyed slot included, costs ~3–4 µs.
 */
import { createRequire } from 'node:module';
import { IncomingMessage } from 'node:http';
import { inspect } from 'node:util';
import { ImproperlyConfigured } from '../sessions/errors.js';

const GUARD = Symbol.for('sessionscope.missingSessionGuard');
/** Where an assigned `session` lives, by request or context (shared by every copy of the package). */
const ASSIGNED_KEY = Symbol.for('sessionscope.assignedSessions');
const registry = globalThis as { [ASSIGNED_KEY]?: WeakMap<object, unknown> };
registry[ASSIGNED_KEY] ??= new WeakMap();
const assignedSessions = registry[ASSIGNED_KEY];
/** Annex B's __lookupGetter__: the chain walk without a descriptor object per level. */
const lookupGetter = (Object.prototype as unknown as { __lookupGetter__(name: string): unknown })
  .__lookupGetter__;

/** Reads that must not throw: printing, awaiting, JSON and type probes of the stand-in. */
const HARMLESS = new Set<PropertyKey>([
  'then',
  'toJSON',
  Symbol.toPrimitive,
  Symbol.toStringTag,
  Symbol.iterator,
  Symbol.asyncIterator,
  inspect.custom,
]);

function standIn(message: string): object {
  const fail = () => {
    throw new ImproperlyConfigured(message);
  };
  return new Proxy(Object.create(null) as object, {
    get: (_target, property) => (HARMLESS.has(property) ? undefined : fail()),
    set: fail,
    has: fail,
    deleteProperty: fail,
    ownKeys: fail,
  });
}

/**
 * Defines the guarded `session` on `prototype` unless something (another session library) already
 * owns the name there. `exempt` lets a library that only probes for a session see `undefined`.
 */
export function guardMissingSession(prototype: object, message: string, exempt?: () => boolean): void {
  if (Object.hasOwn(prototype, 'session')) return;
  const get = function (this: object) {
    const value = assignedSessions.get(this);
    // has(), not undefined alone: an app may assign undefined itself (a logout), and reads that back.
    if (value !== undefined || assignedSessions.has(this)) return value;
    return exempt?.() ? undefined : standIn(message);
  };
  Object.defineProperty(get, GUARD, { value: true });
  Object.defineProperty(prototype, 'session', {
    configurable: true,
    enumerable: false,
    get,
    set(this: object, value: unknown) {
      assignedSessions.set(this, value);
    },
  });
}

/**
 * Whether a real session already sits on `target` (ours from a second installation, or another
 * library's on the object or a prototype), as opposed to nothing or only the guard.
 */
export function sessionClaimed(target: object): boolean {
  // The common answer in one native lookup: the first `session` on the chain is the guard's getter
  // (a data property, ours or another library's, gives undefined here and takes the walk below).
  const getter = lookupGetter.call(target, 'session') as ((this: object) => unknown) | undefined;
  if (getter && (getter as unknown as Record<symbol, unknown>)[GUARD]) return assigned(target);
  for (let o: object | null = target; o; o = Object.getPrototypeOf(o) as object | null) {
    const descriptor = Object.getOwnPropertyDescriptor(o, 'session');
    if (!descriptor) continue;
    if (descriptor.get && (descriptor.get as unknown as Record<symbol, unknown>)[GUARD])
      return assigned(target);
    return 'value' in descriptor ? descriptor.value != null : true;
  }
  return false;
}

/** Through the guard: something was assigned (ours from a second installation, or another library's). */
function assigned(target: object): boolean {
  return assignedSessions.get(target) != null;
}

/** express-session's "is there a session already?" probe must keep seeing nothing (both in one process). */
const probedByExpressSession = () => /[\\/]express-session[\\/]/.test(new Error().stack ?? '');

export function guardNodeRequests(): void {
  guardMissingSession(
    IncomingMessage.prototype,
    "req.session was used before sessionscope's middleware ran for this request: a route or middleware registered before app.use(sessions.middleware()) touched it. Move app.use(sessions.middleware()) above your routes (and above app.use(router)).",
    probedByExpressSession,
  );
}

/** Koa's base context (every app's context inherits from it), from the app's own koa. */
export function guardKoaContexts(): void {
  let context: object;
  try {
    context = createRequire(`${process.cwd()}/`)('koa/lib/context.js') as object;
  } catch {
    try {
      context = createRequire(import.meta.url)('koa/lib/context.js') as object;
    } catch {
      return; // An unusual layout: misordering keeps its plain TypeError.
    }
  }
  guardMissingSession(
    context,
    "ctx.session was used before sessionscope's middleware ran for this request: a middleware or router registered before app.use(koaSessions(sessions)) touched it. Move app.use(koaSessions(sessions)) above app.use(router.routes()) and anything else that uses ctx.session.",
  );
}
