/**
 * Every command's round trip over a real `ws` client, through SQLite and Redis, with the events
 * each one produces and the app's own view of the result (a real HTTP request with the cookie).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireEvent } from '../../server-agent/agent/protocol.js';
import { requireService } from '../helpers/services.js';
import { Client, type Harness, quietLogs, startHarness } from './harness.js';

const engines: { name: string; options: () => Record<string, unknown>; service?: number }[] = [
  { name: 'sqlite', options: () => ({}) },
  {
    name: 'redis',
    service: 6379,
    options: () => ({
      SESSION_ENGINE: 'cache',
      CACHES: {
        default: {
          BACKEND: 'redis',
          LOCATION: 'redis://127.0.0.1:6379',
          KEY_PREFIX: `agent_${process.pid}_${Date.now()}`,
        },
      },
    }),
  },
];

describe.each(engines)('commands on $name', (engine) => {
  let harness: Harness;
  let client: Client;
  let logs: ReturnType<typeof quietLogs>;
  let available = true;

  beforeAll(async () => {
    if (engine.service) available = await requireService('Redis', engine.service);
    if (!available) return;
    logs = quietLogs();
    harness = await startHarness({ sessionOptions: engine.options() });
    client = await Client.ready(harness.agent.wsUrl, harness.agent.token);
  });
  afterAll(async () => {
    if (!available) return;
    await client.close();
    await harness.close();
    logs.restore();
  });

  async function newSession(query: string): Promise<{ cookie: string; handle: string }> {
    const res = await fetch(`${harness.baseUrl}/set?${query}`);
    const cookie = (res.headers.get('set-cookie') ?? '').split(';', 1)[0]!;
    const requestId = res.headers.get('x-sessionscope-request');
    await client.waitEvent((e) => e.type === 'request.end' && e.requestId === requestId);
    const event = client.events.find(
      (item) => item.event.type === 'session.saved' && item.event.requestId === requestId,
    )?.event;
    if (event?.type !== 'session.saved') throw new Error('no session.saved event');
    return { cookie, handle: event.session! };
  }

  const appView = async (cookie: string) =>
    (await (await fetch(`${harness.baseUrl}/dump`, { headers: { cookie } })).json()) as Record<
      string,
      unknown
    >;
  const eventsFor = (requestId: string): WireEvent[] =>
    client.events.map((item) => item.event).filter((e) => 'requestId' in e && e.requestId === requestId);

  it('listSessions pages and searches by handle, key and value; getSession shows a revision', async (ctx) => {
    if (!available) return ctx.skip();
    const a = await newSession('name=ada&lang=fr');
    await newSession('name=bob');
    await newSession('name=cyd&tier=gold');
    const first = await client.ok('listSessions', { limit: 2 });
    expect(first.items.length).toBeGreaterThanOrEqual(2);
    const byHandle = await client.ok('listSessions', { query: a.handle.slice(0, 8), field: 'handle' });
    expect(byHandle.items.map((item) => item.session)).toContain(a.handle);
    const byKey = await client.ok('listSessions', { query: 'tier', field: 'key' });
    expect(byKey.items).toHaveLength(1);
    const byValue = await client.ok('listSessions', { query: 'bob', field: 'value' });
    expect(byValue.items).toHaveLength(1);
    const view = await client.ok('getSession', { session: a.handle });
    expect(view.entries).toEqual([
      ['name', { t: 'value', value: 'ada' }],
      ['lang', { t: 'value', value: 'fr' }],
    ]);
    expect(view.revision).toMatch(/^[\w-]{16}$/);
    expect(view.expiry.policy).toBe('default');
  });

  it('set (with and without a stale revision) runs through the Session and the app sees it', async (ctx) => {
    if (!available) return ctx.skip();
    const { cookie, handle } = await newSession('name=ada');
    const view = await client.ok('getSession', { session: handle });
    const stale = await client.command('set', {
      session: handle,
      key: 'x',
      value: 1,
      expectedRevision: 'not-the-revision',
    });
    expect(stale).toMatchObject({ type: 'nack', code: 'conflict', revision: view.revision });
    const answer = await client.command('set', {
      session: handle,
      key: 'cart',
      value: { items: [1, 2] },
      expectedRevision: view.revision,
    });
    expect(answer.type).toBe('ack');
    const id = (answer as { id: number }).id;
    const requestId = `a${client.messages.find((m) => m.type === 'welcome' && 'clientId' in m)?.clientId}.${id}`;
    await client.waitEvent((e) => e.type === 'agent.command' && e.requestId === requestId);
    const types = eventsFor(requestId).map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['session.loaded', 'session.modified', 'session.saved', 'agent.command']),
    );
    const modified = eventsFor(requestId).find((e) => e.type === 'session.modified');
    expect(modified).toMatchObject({
      key: 'cart',
      op: 'set',
      after: { t: 'value', value: { items: [1, 2] } },
    });
    expect(await appView(cookie)).toEqual({ name: 'ada', cart: { items: [1, 2] } });
    const tooBig = await client.command('set', {
      session: handle,
      key: 'big',
      value: 'x'.repeat(300 * 1024),
    });
    expect(tooBig).toMatchObject({ type: 'nack', code: 'too_large' });
  });

  it('big values travel as previews and are fetched by path', async (ctx) => {
    if (!available) return ctx.skip();
    const { handle } = await newSession('name=ada');
    const big = Array.from({ length: 3000 }, (_, i) => ({ i, label: `item ${i}` }));
    await client.ok('set', { session: handle, key: 'big', value: big });
    const view = await client.ok('getSession', { session: handle });
    const entry = view.entries.find(([key]) => key === 'big')![1];
    expect(entry).toMatchObject({ t: 'array', length: 3000 });
    expect(entry.t === 'array' && entry.items.length).toBe(50);
    const item = await client.ok('getValue', { session: handle, path: ['big', 1234] });
    expect(item.value).toEqual({ t: 'value', value: { i: 1234, label: 'item 1234' } });
    const missing = await client.command('getValue', { session: handle, path: ['big', 99999] });
    expect(missing).toMatchObject({ type: 'nack', code: 'not_found' });
  });

  it('pop removes a key and reports it; popping a missing key is not_found', async (ctx) => {
    if (!available) return ctx.skip();
    const { cookie, handle } = await newSession('name=ada&drop=me');
    const popped = await client.ok('pop', { session: handle, key: 'drop' });
    expect(popped.removed).toEqual({ t: 'value', value: 'me' });
    expect(await appView(cookie)).toEqual({ name: 'ada' });
    expect(await client.command('pop', { session: handle, key: 'drop' })).toMatchObject({
      type: 'nack',
      code: 'not_found',
    });
  });

  it('setExpiry takes every form: seconds, 0, ISO date, { seconds }, null', async (ctx) => {
    if (!available) return ctx.skip();
    const { handle } = await newSession('name=ada');
    const idle = await client.ok('setExpiry', { session: handle, expiry: 300 });
    expect(idle.expiry).toMatchObject({ policy: 'idle-seconds', value: 300, browserClose: false });
    const browser = await client.ok('setExpiry', { session: handle, expiry: 0 });
    expect(browser.expiry).toMatchObject({ policy: 'browser-close', expiresAt: null, browserClose: true });
    const at = new Date(Date.now() + 3600_000);
    at.setUTCMilliseconds(0);
    const absolute = await client.ok('setExpiry', { session: handle, expiry: at.toISOString() });
    expect(absolute.expiry).toMatchObject({ policy: 'absolute', expiresAt: at.getTime() });
    const duration = await client.ok('setExpiry', { session: handle, expiry: { seconds: 60 } });
    expect(duration.expiry.policy).toBe('absolute');
    expect(Math.abs((duration.expiry.expiresAt ?? 0) - (Date.now() + 60_000))).toBeLessThan(5000);
    const reset = await client.ok('setExpiry', { session: handle, expiry: null });
    expect(reset.expiry).toMatchObject({ policy: 'default', value: null });
    expect(await client.command('setExpiry', { session: handle, expiry: 'next tuesday' })).toMatchObject({
      type: 'nack',
      code: 'invalid_value',
    });
    await client.waitEvent(
      (e) => e.type === 'session.expiryChanged' && e.session === handle && e.policy === 'browser-close',
    );
  });

  it('cycleKey gives a new handle with the same data; the old handle is gone', async (ctx) => {
    if (!available) return ctx.skip();
    const { handle } = await newSession('name=ada');
    const cycled = await client.ok('cycleKey', { session: handle });
    expect(cycled.to).not.toBe(handle);
    await client.waitEvent((e) => e.type === 'session.keyCycled' && e.from === handle && e.to === cycled.to);
    expect((await client.ok('getSession', { session: cycled.to })).entries).toEqual([
      ['name', { t: 'value', value: 'ada' }],
    ]);
    expect(await client.command('getSession', { session: handle })).toMatchObject({
      type: 'nack',
      code: 'not_found',
    });
  });

  it('U1 cycle key keeps the visitor logged in: the old cookie is carried forward once, then dead', async (ctx) => {
    if (!available) return ctx.skip();
    const { cookie, handle } = await newSession('name=ada');
    const cycled = await client.ok('cycleKey', { session: handle });
    // The browser's next request still carries the old key: it is served the new session and gets its cookie.
    const hop = await fetch(`${harness.baseUrl}/dump`, { headers: { cookie } });
    expect(await hop.json()).toEqual({ name: 'ada' });
    const setCookie = hop.headers.get('set-cookie') ?? '';
    const fresh = setCookie.split(';', 1)[0]!;
    expect(fresh).toMatch(/^sessionid=\w+$/);
    expect(fresh).not.toBe(cookie);
    expect(setCookie).toMatch(/Max-Age=\d+/);
    const requestId = hop.headers.get('x-sessionscope-request');
    const warning = await client.waitEvent(
      (e) => e.type === 'session.warning' && e.requestId === requestId && e.code === 'key-forwarded',
    );
    expect(warning).toMatchObject({ session: cycled.to });
    // One hop only: the old key is dead now, and a late parallel request with it does not delete the new cookie.
    const late = await fetch(`${harness.baseUrl}/dump`, { headers: { cookie } });
    expect(await late.json()).toEqual({});
    expect(late.headers.get('set-cookie')).toBeNull();
    expect(await appView(fresh)).toEqual({ name: 'ada' });
  });

  it('U1 cycle key: the new key is returned only to a client that presents the old one (browserKey)', async (ctx) => {
    if (!available) return ctx.skip();
    const { cookie, handle } = await newSession('name=dee');
    const oldKey = cookie.slice('sessionid='.length);
    const blind = await client.ok('cycleKey', { session: handle, browserKey: 'x'.repeat(oldKey.length) });
    expect(blind).not.toHaveProperty('cookieValue');
    const proved = await client.ok('cycleKey', { session: blind.to, browserKey: oldKey });
    expect(proved).not.toHaveProperty('cookieValue'); // the browser's key is no longer this session's
    const current = harness.sessions.handles.keyFor(proved.to)!;
    const again = await client.ok('cycleKey', { session: proved.to, browserKey: current });
    expect(again.cookieValue).toBe(harness.sessions.handles.keyFor(again.to));
    expect(await appView(`sessionid=${again.cookieValue}`)).toEqual({ name: 'dee' });
  });

  it('U1 cycle key: cycled twice, the first key goes straight to the newest session', async (ctx) => {
    if (!available) return ctx.skip();
    const { cookie, handle } = await newSession('name=bea');
    const cycled = await client.ok('cycleKey', { session: handle });
    const again = await client.ok('cycleKey', { session: cycled.to });
    const hop = await fetch(`${harness.baseUrl}/dump`, { headers: { cookie } });
    expect(await hop.json()).toEqual({ name: 'bea' });
    const fresh = (hop.headers.get('set-cookie') ?? '').split(';', 1)[0]!;
    expect(fresh.slice('sessionid='.length)).toBe(harness.sessions.handles.keyFor(again.to));
  });

  it('U1 cycle key: once the browser holds the new key (extension cookies API), the old key is dead', async (ctx) => {
    if (!available) return ctx.skip();
    const { cookie, handle } = await newSession('name=cy');
    const cycled = await client.ok('cycleKey', { session: handle });
    const newKey = harness.sessions.handles.keyFor(cycled.to);
    expect(await appView(`sessionid=${newKey}`)).toEqual({ name: 'cy' });
    const stale = await fetch(`${harness.baseUrl}/dump`, { headers: { cookie } });
    expect(await stale.json()).toEqual({});
  });

  it('U3 the cookie.deleted event of the request after expire-now names the session, so the panel drops its stale Set-Cookie', async (ctx) => {
    if (!available) return ctx.skip();
    const { cookie, handle } = await newSession('name=eve');
    await client.ok('expireNow', { session: handle });
    const res = await fetch(`${harness.baseUrl}/dump`, { headers: { cookie } });
    expect(res.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    const requestId = res.headers.get('x-sessionscope-request');
    const deleted = await client.waitEvent((e) => e.type === 'cookie.deleted' && e.requestId === requestId);
    expect(deleted).toMatchObject({ session: handle });
  });

  it('U6 an idle session shows the expiry its record holds (as All sessions lists it), not now + age', async (ctx) => {
    if (!available) return ctx.skip();
    const { handle } = await newSession('name=ida');
    await client.ok('clockTravel', { seconds: 3600 });
    try {
      const shown = await client.ok('getSession', { session: handle });
      const listed = (await client.ok('listSessions', { query: handle, field: 'handle' })).items[0];
      expect(shown.expiry.policy).toBe('default');
      expect(Math.abs(shown.expiry.expiresAt! - listed!.expiresAt!)).toBeLessThan(2000);
    } finally {
      await client.ok('clockReset', {});
    }
  });

  it('expireNow expires the session with an event; clearExpired runs', async (ctx) => {
    if (!available) return ctx.skip();
    const { cookie, handle } = await newSession('name=ada');
    await client.ok('expireNow', { session: handle });
    await client.waitEvent(
      (e) => e.type === 'session.expired' && e.session === handle && e.reason === 'expire-now',
    );
    expect(await appView(cookie)).toEqual({});
    const cleared = await client.ok('clearExpired', {});
    expect(cleared.removed === null || cleared.removed >= 0).toBe(true);
  });

  it('flush deletes the session with an event; later commands on it are not_found', async (ctx) => {
    if (!available) return ctx.skip();
    const { cookie, handle } = await newSession('name=ada');
    await client.ok('flush', { session: handle });
    await client.waitEvent((e) => e.type === 'session.flushed' && e.session === handle);
    expect(await client.command('set', { session: handle, key: 'x', value: 1 })).toMatchObject({
      type: 'nack',
      code: 'not_found',
    });
    expect(await appView(cookie)).toEqual({});
    expect(await client.command('getSession', { session: 'unknown-handle' })).toMatchObject({
      type: 'nack',
      code: 'not_found',
    });
  });

  it('clockTravel expires sessions with events and moves cookie expiry; clockReset returns', async (ctx) => {
    if (!available) return ctx.skip();
    const { cookie, handle } = await newSession('name=ada');
    const travelled = await client.ok('clockTravel', { seconds: 15 * 86400 });
    expect(travelled.offsetSeconds).toBe(15 * 86400);
    expect(travelled.expired).toContain(handle);
    await client.waitEvent(
      (e) => e.type === 'session.expired' && e.session === handle && e.reason === 'clock-travel',
    );
    await client.waitEvent((e) => e.type === 'clock.changed' && e.offsetSeconds === 15 * 86400);
    expect(await appView(cookie)).toEqual({});
    const res = await fetch(`${harness.baseUrl}/set?fresh=1`);
    const expires = /Expires=([^;]+)/i.exec(res.headers.get('set-cookie') ?? '')?.[1];
    expect(new Date(expires ?? 0).getTime()).toBeGreaterThan(Date.now() + 28 * 86400_000);
    const reset = await client.ok('clockReset', {});
    expect(reset.offsetSeconds).toBe(0);
  });
});
