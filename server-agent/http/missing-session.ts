/**
 * U5: a route registered before sessionscope's middleware reads `req.session` / `ctx.session` while
 * it is still unset, and used to die with "Cannot read properties of undefined (reading 'get')".
 * Once an app creates the middleware, the prototype requests (or Koa contexts) inherit from answers
 * such reads with a stand-in whose every use throws ImproperlyConfigured naming the order fix. The
 * middleware's own assignment goes through the guard's setter into a store (a WeakMap for node:http
 * requests, a symbol slot for Koa contexts), which the getter reads from then on, so the stand-in is
 * never seen after it ran. Not a property defined per request: Object.defineProperty on every
 * request cost ~1 µs (profiled on Koa).
 */
import { createRequire } from 'node:module';
import { IncomingMessage } from 'node:http';
import { inspect } from 'node:util';
import { ImproperlyConfigured } from '../sessions/errors.js';

const GUARD = Symbol.for('sessionscope.missingSessionGuard');

/** Where an assigned `session` is kept for a guarded object (shared by every copy of the package). */
interface AssignedSessions {
  get(target: object): unknown;
  has(target: object): boolean;
  set(target: object, value: unknown): void;
}

const SLOT = Symbol.for('sessionscope.session');
type Slotted = { [SLOT]?: unknown };
/** A symbol-keyed slot on the object: the cheapest store while objects share their hidden class (Koa contexts). */
const inSlot: AssignedSessions = {
  get: (target) => (target as Slotted)[SLOT],
  has: (target) => SLOT in target,
  set: (target, value) => {
    (target as Slotted)[SLOT] = value;
  },
};

const WEAK_MAP_KEY = Symbol.for('sessionscope.assignedSessions');
const registry = globalThis as { [WEAK_MAP_KEY]?: WeakMap<object, unknown> };
registry[WEAK_MAP_KEY] ??= new WeakMap();
/**
 * A WeakMap by object, for node:http requests: Express gives each request a prototype of its own
 * (Object.setPrototypeOf), after which V8 copies the object's hidden class for every property
 * added, ~3–4 µs each, where a WeakMap entry costs ~0.15 µs.
 */
const inWeakMap: AssignedSessions = registry[WEAK_MAP_KEY];

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
export function guardMissingSession(
  prototype: object,
  message: string,
  assigned: AssignedSessions,
  exempt?: () => boolean,
): void {
  if (Object.hasOwn(prototype, 'session')) return;
  const get = function (this: object) {
    const value = assigned.get(this);
    // has(), not undefined alone: an app may assign undefined itself (a logout), and reads that back.
    if (value !== undefined || assigned.has(this)) return value;
    return exempt?.() ? undefined : standIn(message);
  };
  // The guard's mark is where it keeps sessions, so sessionClaimed looks in the right place.
  Object.defineProperty(get, GUARD, { value: assigned });
  Object.defineProperty(prototype, 'session', {
    configurable: true,
    enumerable: false,
    get,
    set(this: object, value: unknown) {
      assigned.set(this, value);
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
  const guarded = guardStore(getter);
  if (guarded) return assignedThrough(guarded, target);
  for (let o: object | null = target; o; o = Object.getPrototypeOf(o) as object | null) {
    const descriptor = Object.getOwnPropertyDescriptor(o, 'session');
    if (!descriptor) continue;
    const store = guardStore(descriptor.get);
    if (store) return assignedThrough(store, target);
    return 'value' in descriptor ? descriptor.value != null : true;
  }
  return false;
}

/**
 * The store of a guard's getter, undefined for any other getter. Earlier releases marked their
 * guard `true` and kept sessions in the same symbol slot as inSlot.
 */
function guardStore(getter: unknown): AssignedSessions | undefined {
  const mark = getter ? (getter as Record<symbol, unknown>)[GUARD] : undefined;
  return mark === true ? inSlot : (mark as AssignedSessions | undefined);
}

/** Through the guard: something was assigned (ours from a second installation, or another library's). */
function assignedThrough(store: AssignedSessions, target: object): boolean {
  return store.get(target) != null;
}

/** express-session's "is there a session already?" probe must keep seeing nothing (both in one process). */
const probedByExpressSession = () => /[\\/]express-session[\\/]/.test(new Error().stack ?? '');

export function guardNodeRequests(): void {
  guardMissingSession(
    IncomingMessage.prototype,
    "req.session was used before sessionscope's middleware ran for this request: a route or middleware registered before app.use(sessions.middleware()) touched it. Move app.use(sessions.middleware()) above your routes (and above app.use(router)).",
    inWeakMap,
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
    inSlot,
  );
}
