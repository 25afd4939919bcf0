/** Typed session data: a Standard Schema (zod here) checked on load, types on get/set, over HTTP. */
import { createServer } from 'node:http';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { createSessions } from '../../server-agent/create.js';
import { type LogRecord, setLogSink } from '../../server-agent/sessions/log.js';
import type { JsonValue } from '../../server-agent/sessions/serializer.js';
import type { Session } from '../../server-agent/sessions/session.js';
import { type Listening, listen, send } from '../helpers/http.js';

const schema = z
  .object({
    user: z.string().optional(),
    cart: z.array(z.string()).default([]),
  })
  .strict();

const base = { SECRET_KEY: 'test-secret-key', DATABASE_URL: ':memory:' };

describe('typed session data (Standard Schema)', () => {
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  function make() {
    const sessions = createSessions({ ...base, schema });
    cleanup.push(() => sessions.close());
    return sessions;
  }
  /** Writes a record behind the schema's back, as an older deploy might have. */
  async function seedRaw(
    sessions: ReturnType<typeof make>,
    data: Record<string, JsonValue>,
  ): Promise<string> {
    const key = 'k'.repeat(32);
    const now = sessions.clock.nowMs();
    await sessions.store.save(
      key,
      { data: new Map(Object.entries(data)), expireDate: new Date(now + 3_600_000), ageSeconds: 3600 },
      true,
    );
    return key;
  }

  it('types get/set from the schema', () => {
    const sessions = createSessions({ ...base, schema });
    cleanup.push(() => sessions.close());
    const session = sessions.typed(sessions.open());
    expectTypeOf(session.get('cart')).toEqualTypeOf<Promise<string[] | undefined>>();
    expectTypeOf(session.get('user', 'anon')).toEqualTypeOf<Promise<string>>();
    expectTypeOf(session.set).parameter(0).toEqualTypeOf<'user' | 'cart'>();
    // @ts-expect-error a number is not a cart
    void session.set('cart', 3).catch(() => {});
  });

  it('valid stored data loads through the schema, defaults applied', async () => {
    const sessions = make();
    const key = await seedRaw(sessions, { user: 'ada' });
    const session = sessions.typed(sessions.open(key));
    expect(await session.get('user')).toBe('ada');
    expect(await session.get('cart')).toEqual([]);
  });

  it('framework keys (expiry, test cookie) bypass the schema and are kept', async () => {
    const sessions = make();
    const key = await seedRaw(sessions, { user: 'ada', _session_expiry: 300, testcookie: 'worked' });
    const session = sessions.open(key);
    expect(await session.getExpiryAge()).toBe(300);
    expect(await session.testCookieWorked()).toBe(true);
  });

  it('invalid stored data is reported and loads empty: the visitor gets a page, not an error', async () => {
    const lines: LogRecord[] = [];
    cleanup.push(setLogSink((record) => lines.push(record)));
    const sessions = make();
    const key = await seedRaw(sessions, { user: 42, cart: 'not a list' });
    const middleware = sessions.middleware();
    const server: Listening = await listen(
      createServer((req, res) =>
        middleware(req, res, async () => {
          const session = sessions.typed(req.session as Session);
          const cart = await session.get('cart', []);
          await session.set('cart', [...cart, 'tea']);
          res.end(JSON.stringify(cart));
        }),
      ),
    );
    cleanup.push(() => server.close());
    const reply = await send(server.url, { cookie: `sessionid=${key}` });
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('[]');
    const warning = lines.find((line) => line.namespace === 'sessionscope:schema');
    expect(warning?.message).toMatch(/does not match the schema.*user.*cart/);
    expect(warning?.message).not.toContain(key);
    const stored = await sessions.store.load(key);
    expect(stored.outcome === 'hit' && Object.fromEntries(stored.data)).toEqual({ cart: ['tea'] });
  });

  it('refuses a schema that is not a Standard Schema', () => {
    expect(() => createSessions({ ...base, schema: { parse() {} } as never })).toThrow(
      /Standard Schema validator/,
    );
  });
});
