// @vitest-environment happy-dom
/** U1 Cycle key from the panel: the view follows the new key, and with host access the panel writes the new cookie. */
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { createNullPlatform } from '../../extension/platform/null.js';
import type { BrowserCookie, CookieWrite, Platform } from '../../extension/platform/types.js';
import { SessionTab } from '../../extension/ui/SessionTab.js';
import { HANDLE, requestEnd, seq, view } from './fixtures.js';
import { connectedStore, tick, withApp } from './harness.js';

afterEach(cleanup);

const JAR: BrowserCookie = {
  name: 'sessionid',
  value: 'oldrawkey0123456789abcdefghijklm',
  domain: 'localhost',
  hostOnly: true,
  path: '/',
  secure: false,
  httpOnly: true,
  sameSite: 'lax',
  session: false,
  expirationDate: 1_800_000_000,
  storeId: '0',
};

function extensionPlatform(writes: { url: string; cookie: CookieWrite }[]): Platform {
  return {
    ...createNullPlatform('http://localhost:3000'),
    kind: 'extension',
    readCookie: async () => ({ status: 'found', cookie: JAR }),
    writeCookie: async (url, cookie) => {
      writes.push({ url, cookie });
      return { ok: true };
    },
  };
}

describe('U1 cycle key from the panel', () => {
  it('sends the jar key, writes the returned key into the cookie, and shows the new handle', async () => {
    const { store, transport, commands } = await connectedStore(
      view([['color', { t: 'value', value: 'red' }]]),
    );
    const writes: { url: string; cookie: CookieWrite }[] = [];
    render(
      withApp(
        store,
        <SessionTab origin="http://localhost:3000" expanded={new Set()} onToggle={() => {}} />,
        extensionPlatform(writes),
      ),
    );
    await tick();
    await tick();
    fireEvent.click(screen.getByRole('button', { name: 'Cycle key' }));
    await tick();
    const command = commands.find((c) => c.op === 'cycleKey');
    expect(command).toMatchObject({ session: HANDLE, browserKey: JAR.value });
    transport.push({
      v: 1,
      type: 'ack',
      id: command!.id,
      op: 'cycleKey',
      result: { from: HANDLE, to: 'h_new', revision: 'r1', cookieValue: 'newrawkey' },
    });
    await tick();
    await tick();
    expect(store.state.selected).toBe('h_new');
    expect(writes).toEqual([
      {
        url: 'http://localhost:3000/',
        cookie: expect.objectContaining({
          name: 'sessionid',
          value: 'newrawkey',
          httpOnly: true,
          path: '/',
          expirationDate: 1_800_000_000,
        }),
      },
    ]);
    expect(writes[0]!.cookie).not.toHaveProperty('domain'); // host-only stays host-only
  });

  it('Follow latest stays on the new key when the next request is served the new session', async () => {
    const { store, transport, commands } = await connectedStore(view([]));
    void store.cycleKey();
    await tick();
    const command = commands.find((c) => c.op === 'cycleKey')!;
    transport.push({
      v: 1,
      type: 'ack',
      id: command.id,
      op: 'cycleKey',
      result: { from: HANDLE, to: 'h_new', revision: 'r1' },
    });
    await tick();
    expect(store.state.follow).toBe(true);
    transport.push({
      v: 1,
      type: 'events',
      after: 1,
      through: 2,
      events: [seq(2, requestEnd('r2', 'h_new'))],
    });
    await tick();
    expect(store.state.selected).toBe('h_new');
  });

  it('the inspector (following every request) stays on the new key through the cycle command’s own events', async () => {
    const { store, transport, commands } = await connectedStore(view([]));
    expect(store.state.watchedRequests).toBeNull();
    const cycled = store.cycleKey();
    await tick();
    const command = commands.find((c) => c.op === 'cycleKey')!;
    const requestId = `ac1.${command.id}`;
    const at = 1_700_000_000_100;
    transport.push({
      v: 1,
      type: 'ack',
      id: command.id,
      op: 'cycleKey',
      result: { from: HANDLE, to: 'h_new', revision: 'r1' },
    });
    await cycled;
    // What the agent emits for the command, after its ack (requestId "a<client>.<id>"): the old record loaded,
    // the key cycled, the old record deleted. None of them is a request of the page to follow.
    transport.push({
      v: 1,
      type: 'events',
      after: 1,
      through: 4,
      events: [
        seq(2, { type: 'session.loaded', at, requestId, session: HANDLE, outcome: 'hit', keys: 0, ms: 1 }),
        seq(3, { type: 'session.keyCycled', at, requestId, session: 'h_new', from: HANDLE, to: 'h_new' }),
        seq(4, { type: 'session.deleted', at, requestId, session: HANDLE }),
      ],
    });
    await tick();
    expect(store.state.selected).toBe('h_new');
    expect(store.state.follow).toBe(true);
    // An app request on the new key is still followed.
    transport.push({
      v: 1,
      type: 'events',
      after: 4,
      through: 5,
      events: [seq(5, requestEnd('r9', 'h_new'))],
    });
    await tick();
    expect(store.state.selected).toBe('h_new');
  });
});
