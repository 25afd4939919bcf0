/**
 * Fuzz: what reaches the hub from the agent bus (`parseBusMessage`). Anyone who can publish on the
 * shared Redis channel or PostgreSQL NOTIFY can send any text. Random text, random JSON and
 * near-valid messages never throw; a message is accepted only when every field the UI reads has
 * its kind, every handle has the handle shape (so no raw session key or cookie value rides along
 * in that slot), and nothing is larger than the bounds; well-formed messages are accepted as sent.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BusMessage, parseBusMessage } from '../../server-agent/agent/bus-message.js';
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS, fuzzParameters } from './runs.js';

const DEPLOYMENT = 'sessionid:shop';
const SELF = 'host-a:100:n1';
const handle = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const text = fc.string({ maxLength: 40 });
const num = fc.double({ noNaN: true, noDefaultInfinity: true });
const tag = fc.record({
  id: fc.string({ minLength: 1, maxLength: 30 }).filter((id) => id !== SELF),
  host: fc.string({ maxLength: 30 }),
  pid: fc.nat(),
  app: fc.string({ maxLength: 20 }),
});
const base = { at: num, session: fc.option(handle, { nil: undefined }) };
/** One valid event of each kind the UI reads, with the fields the bus check requires. */
const event = fc.oneof(
  fc.record({
    type: fc.constant('request.start'),
    ...base,
    method: text,
    path: text,
    cookiePresent: fc.boolean(),
  }),
  fc.record({
    type: fc.constant('request.summary'),
    ...base,
    method: text,
    path: text,
    status: fc.nat(599),
    ms: num,
    events: fc.nat(),
    saved: fc.boolean(),
  }),
  fc.record({ type: fc.constant('session.modified'), ...base, key: text, op: fc.constantFrom('set', 'pop') }),
  fc.record({
    type: fc.constant('session.saved'),
    ...base,
    ms: num,
    bytes: fc.nat(),
    keys: fc.array(text, { maxLength: 5 }),
  }),
  fc.record({ type: fc.constant('session.keyCycled'), ...base, to: handle }),
  fc.record({
    type: fc.constant('cookie.set'),
    ...base,
    cookie: fc.record({ name: text, value: fc.constant('‹handle›') }),
    header: text,
  }),
  fc.record({ type: fc.constant('clock.changed'), ...base, offsetSeconds: num, frozen: fc.boolean() }),
);
const item = fc.tuple(
  fc.constantFrom(0, 1, 2),
  fc.option(handle, { nil: null }),
  fc.constantFrom(0, 1),
  event,
);
const eventsMessage = fc.record({
  v: fc.constant(1),
  dep: fc.constant(DEPLOYMENT),
  from: tag,
  kind: fc.constant('events'),
  items: fc.array(item, { maxLength: 6 }),
});
const presenceMessage = fc.record({
  v: fc.constant(1),
  dep: fc.constant(DEPLOYMENT),
  from: tag,
  kind: fc.constant('presence'),
  clients: fc.nat(),
  watch: fc.record({ all: fc.boolean(), sessions: fc.array(handle, { maxLength: 4 }) }),
  clock: fc.record({ now: num, offsetSeconds: num, frozen: fc.boolean() }),
  dropped: fc.nat(),
});
const message = fc.oneof(eventsMessage, presenceMessage);
/** Drops undefined fields, as JSON on the wire does. */
const wire = (value: unknown): string => JSON.stringify(value);

/** Something that is not a handle: a raw 32-character session key with a dot, too long, empty, a non-string. */
const notHandle = fc.oneof(
  fc.constant('abcdefghijklmnopqrstuvwxyz012345.'),
  fc.constant('x'.repeat(65)),
  fc.constant(''),
  fc.constant('a b'),
  fc.integer(),
  fc.constant({}),
);
/** A value the check of a field holding `value` refuses: another kind, or past the size bound. */
function refusedFor(value: unknown, oversize: boolean): unknown {
  if (typeof value === 'string') return oversize ? 'x'.repeat(8193) : 42;
  if (Array.isArray(value)) return oversize ? ['x'.repeat(4097)] : {};
  if (typeof value === 'object') return oversize ? [] : null;
  return oversize ? 'x' : null;
}

describe('bus messages (fuzz)', () => {
  it(
    'random text and random JSON never throw and give a verdict with a known reason',
    () => {
      fc.assert(
        fc.property(fc.oneof(fc.string(), fc.json(), fc.jsonValue().map(wire), message.map(wire)), (raw) => {
          const verdict = parseBusMessage(raw, DEPLOYMENT, SELF);
          if (!verdict.ok) expect(['other-deployment', 'bad-shape', 'own']).toContain(verdict.reason);
        }),
        fuzzParameters('bus message: any text', Math.round(FUZZ_RUNS / 5)),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'a well-formed message is accepted as sent; another deployment or this agent’s own is not',
    () => {
      fc.assert(
        fc.property(message, (sent) => {
          const verdict = parseBusMessage(wire(sent), DEPLOYMENT, SELF);
          expect(verdict.ok).toBe(true);
          if (verdict.ok) expect(verdict.message).toEqual(JSON.parse(wire(sent)) as BusMessage);
          expect(parseBusMessage(wire({ ...sent, dep: 'sessionid:other' }), DEPLOYMENT, SELF)).toEqual({
            ok: false,
            reason: 'other-deployment',
          });
          const own = { ...sent, from: { ...sent.from, id: SELF } };
          expect(parseBusMessage(wire(own), DEPLOYMENT, SELF)).toEqual({ ok: false, reason: 'own' });
        }),
        fuzzParameters('bus message: well-formed', Math.round(FUZZ_RUNS / 20)),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'an item whose handle slot holds anything but a handle is refused, whole message and all',
    () => {
      fc.assert(
        fc.property(
          eventsMessage.filter((m) => m.items.length > 0),
          fc.nat(),
          notHandle,
          fc.boolean(),
          (sent, at, bad, inEvent) => {
            const items = sent.items.map((i) => [...i]) as unknown[][];
            const target = items[at % items.length]!;
            if (inEvent) target[3] = { ...(target[3] as object), session: bad };
            else target[1] = bad;
            expect(parseBusMessage(wire({ ...sent, items }), DEPLOYMENT, SELF)).toEqual({
              ok: false,
              reason: 'bad-shape',
            });
          },
        ),
        fuzzParameters('bus message: not a handle', Math.round(FUZZ_RUNS / 20)),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'an event field of the wrong kind is refused',
    () => {
      fc.assert(
        fc.property(
          eventsMessage.filter((m) => m.items.length > 0),
          fc.nat(),
          fc.nat(),
          fc.boolean(),
          (sent, at, pick, oversize) => {
            const items = sent.items.map((i) => [...i]) as unknown[][];
            const target = items[at % items.length]!;
            const event = { ...(target[3] as Record<string, unknown>) };
            const fields = Object.keys(event).filter(
              (f) => f !== 'session' && f !== 'type' && event[f] !== undefined,
            );
            const field = fields[pick % fields.length]!;
            event[field] = refusedFor(event[field], oversize);
            target[3] = event;
            expect(parseBusMessage(wire({ ...sent, items }), DEPLOYMENT, SELF)).toEqual({
              ok: false,
              reason: 'bad-shape',
            });
          },
        ),
        fuzzParameters('bus message: wrong kind', Math.round(FUZZ_RUNS / 20)),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it('the bounds hold: more than 5,000 items or a watch list of over 1,000 sessions is refused', () => {
    const one = { v: 1, dep: DEPLOYMENT, from: { id: 'b:1:n', host: 'b', pid: 1, app: 'x' } };
    const item = [0, null, 0, { type: 'session.created', at: 1 }];
    expect(
      parseBusMessage(wire({ ...one, kind: 'events', items: Array(5000).fill(item) }), DEPLOYMENT, SELF).ok,
    ).toBe(true);
    expect(
      parseBusMessage(wire({ ...one, kind: 'events', items: Array(5001).fill(item) }), DEPLOYMENT, SELF),
    ).toEqual({ ok: false, reason: 'bad-shape' });
    const presence = {
      ...one,
      kind: 'presence',
      clients: 1,
      dropped: 0,
      clock: { now: 1, offsetSeconds: 0, frozen: false },
    };
    expect(
      parseBusMessage(
        wire({ ...presence, watch: { all: false, sessions: Array(1000).fill('h') } }),
        DEPLOYMENT,
        SELF,
      ).ok,
    ).toBe(true);
    expect(
      parseBusMessage(
        wire({ ...presence, watch: { all: false, sessions: Array(1001).fill('h') } }),
        DEPLOYMENT,
        SELF,
      ),
    ).toEqual({ ok: false, reason: 'bad-shape' });
  });
});
