/**
 * U2: the session as a plain-looking object after one `await`: `const data = await
 * req.session.data()`, then `data.user`, `data.user = 'ada'`, `delete data.user`,
 * `data.cart.push('socks')`, all synchronous, all saved. The express-session habit
 * `req.session.user = …` becomes `data.user = …`.
 *
 * The modified flag follows Django: reading never sets it; assigning a key sets it (even to the
 * same value, as `session[key] = value` does); deleting a key that is there sets it. Beyond
 * Django, a change inside a value (`data.cart.push(…)`) counts as assigning its top-level key, so
 * it is saved too (Django would need `session.modified = True`). Values are checked as set() checks
 * them (U3). Reads always go to the session's current data, so the view stays right after
 * clear(), flush() or cycleKey().
 */
import type { JsonValue, SessionData } from './serializer.js';
import { assertStorable } from './serializer.js';

export type SessionObject = Record<string, JsonValue>;

export interface TrackedHost {
  /** The session's loaded data, now. */
  read(): SessionData;
  /** Apply `mutate` to the data under `key`, then mark the session modified and report the change. */
  write(key: string, mutate: (data: SessionData) => void): void;
}

export function trackedView<D extends object = SessionObject>(host: TrackedHost): D {
  const nested = new WeakMap<object, object>();

  const wrap = (value: JsonValue | undefined, topKey: string): unknown => {
    if (value === null || typeof value !== 'object') return value;
    let proxy = nested.get(value);
    if (!proxy) {
      proxy = new Proxy(value, {
        get: (target, prop, receiver) => {
          const item = Reflect.get(target, prop, receiver) as JsonValue | undefined;
          return typeof prop === 'symbol' || typeof item === 'function' ? item : wrap(item, topKey);
        },
        set: (target, prop, item) => {
          if (typeof prop === 'symbol') return false;
          assertStorable(topKey, item);
          host.write(topKey, () => Reflect.set(target, prop, item));
          return true;
        },
        deleteProperty: (target, prop) => {
          if (!Reflect.has(target, prop)) return true;
          host.write(topKey, () => Reflect.deleteProperty(target, prop));
          return true;
        },
      });
      nested.set(value, proxy);
    }
    return proxy;
  };

  const view = new Proxy(Object.create(null) as D, {
    get: (_target, prop) => (typeof prop === 'symbol' ? undefined : wrap(host.read().get(prop), prop)),
    set: (_target, prop, value) => {
      if (typeof prop === 'symbol') return false;
      assertStorable(prop, value);
      host.write(prop, (data) => data.set(prop, value as JsonValue));
      return true;
    },
    deleteProperty: (_target, prop) => {
      if (typeof prop === 'symbol' || !host.read().has(prop)) return true;
      host.write(prop, (data) => data.delete(prop));
      return true;
    },
    has: (_target, prop) => typeof prop === 'string' && host.read().has(prop),
    ownKeys: () => [...host.read().keys()],
    getOwnPropertyDescriptor: (_target, prop) => {
      if (typeof prop === 'symbol' || !host.read().has(prop)) return undefined;
      return {
        value: wrap(host.read().get(prop), prop),
        writable: true,
        enumerable: true,
        configurable: true,
      };
    },
    defineProperty: (_target, prop, descriptor) => {
      if (typeof prop === 'symbol' || !('value' in descriptor)) return false;
      assertStorable(prop, descriptor.value);
      host.write(prop, (data) => data.set(prop, descriptor.value as JsonValue));
      return true;
    },
  });
  return view;
}
