// @vitest-environment happy-dom
/**
 * Editing and deleting the browser cookie itself from the cookie pane (DevTools panel): the write
 * keeps name, domain, path and partition; refusals are said; the inspector says it cannot.
 */
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { createNullPlatform } from '../../extension/platform/null.js';
import type { BrowserCookie, CookieWrite, Platform } from '../../extension/platform/types.js';
import { editedCookie } from '../../extension/ui/CookieEditor.js';
import { CookiePane } from '../../extension/ui/CookiePane.js';
import { view } from './fixtures.js';
import { connectedStore, tick, withApp } from './harness.js';

afterEach(cleanup);

const JAR: BrowserCookie = {
  name: 'sessionid',
  value: 'oldrawkey0123456789abcdefghijklm',
  domain: '.localhost',
  hostOnly: false,
  path: '/app',
  secure: false,
  httpOnly: true,
  sameSite: 'lax',
  session: false,
  expirationDate: 1_800_000_000,
  storeId: '0',
  partitionKey: { topLevelSite: 'http://localhost' },
};

function panelPlatform(
  writes: { url: string; cookie: CookieWrite }[],
  answer: { ok: true } | { ok: false; error: string } = { ok: true },
): Platform {
  return {
    ...createNullPlatform('http://localhost:3000'),
    kind: 'extension',
    writeCookie: async (url, cookie) => {
      writes.push({ url, cookie });
      return answer;
    },
  };
}

async function pane(platform: Platform) {
  const { store } = await connectedStore(view([]));
  render(
    withApp(
      store,
      <CookiePane
        origin="http://localhost:3000"
        platform={platform}
        lookup={{ status: 'found', cookie: JAR }}
        server={null}
        hints={[]}
      />,
      platform,
    ),
  );
}

describe('the browser cookie from the cookie pane', () => {
  it('edits value, SameSite and HttpOnly, keeping domain, path, partition and expiry', async () => {
    const writes: { url: string; cookie: CookieWrite }[] = [];
    await pane(panelPlatform(writes));
    fireEvent.click(screen.getByRole('button', { name: 'edit cookie' }));
    expect((screen.getByLabelText('Cookie value') as HTMLInputElement).value).toBe(JAR.value);
    fireEvent.input(screen.getByLabelText('Cookie value'), {
      target: { value: 'another-key-0123456789abcdefghij' },
    });
    fireEvent.change(screen.getByLabelText('Cookie SameSite'), { target: { value: 'strict' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save cookie' }));
    await tick();
    expect(writes).toEqual([
      {
        url: 'http://localhost:3000/app',
        cookie: {
          name: 'sessionid',
          value: 'another-key-0123456789abcdefghij',
          path: '/app',
          domain: '.localhost',
          secure: false,
          httpOnly: true,
          sameSite: 'strict',
          expirationDate: 1_800_000_000,
          partitionKey: { topLevelSite: 'http://localhost' },
        },
      },
    ]);
    expect(screen.queryByLabelText('Cookie value')).toBeNull();
  });

  it('the Secure and HttpOnly boxes start as the jar has them and their changes are written', async () => {
    const writes: { url: string; cookie: CookieWrite }[] = [];
    await pane(panelPlatform(writes));
    fireEvent.click(screen.getByRole('button', { name: 'edit cookie' }));
    const secure = screen.getByLabelText('Secure') as HTMLInputElement;
    const httpOnly = screen.getByLabelText('HttpOnly') as HTMLInputElement;
    expect([secure.checked, httpOnly.checked]).toEqual([JAR.secure, JAR.httpOnly]);
    fireEvent.click(secure);
    fireEvent.click(httpOnly);
    fireEvent.click(screen.getByRole('button', { name: 'Save cookie' }));
    await tick();
    expect(writes.map((w) => [w.cookie.secure, w.cookie.httpOnly])).toEqual([[!JAR.secure, !JAR.httpOnly]]);
  });

  it('turns a persistent cookie into a session cookie, and refuses SameSite=None without Secure', () => {
    const edit = { value: 'v', expires: null, sameSite: 'lax' as const, secure: false, httpOnly: true };
    const session = editedCookie(JAR, edit);
    expect(session).not.toHaveProperty('expirationDate');
    expect(editedCookie(JAR, { ...edit, expires: '2030-01-02T03:04:05' })).toMatchObject({
      expirationDate: Math.floor(new Date('2030-01-02T03:04:05').getTime() / 1000),
    });
    expect(editedCookie(JAR, { ...edit, expires: 'nonsense' })).toEqual({
      error: expect.stringMatching(/Pick a date/),
    });
    expect(editedCookie(JAR, { ...edit, sameSite: 'no_restriction' })).toEqual({
      error: expect.stringMatching(/SameSite=None needs Secure/),
    });
  });

  it('deletes the cookie after one confirmation, saying the server session stays', async () => {
    const writes: { url: string; cookie: CookieWrite }[] = [];
    await pane(panelPlatform(writes));
    fireEvent.click(screen.getByRole('button', { name: 'delete cookie' }));
    expect(screen.getByRole('alertdialog').textContent).toMatch(/server's session stays in the store/);
    expect(writes).toHaveLength(0);
    fireEvent.click(screen.getByRole('button', { name: 'Delete cookie' }));
    await tick();
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({
      url: 'http://localhost:3000/app',
      cookie: { name: 'sessionid', value: null, path: '/app' },
    });
  });

  it('says why when the browser refuses the write, and keeps the form', async () => {
    await pane(
      panelPlatform([], { ok: false, error: 'The browser refused the cookie (check Secure and Domain).' }),
    );
    fireEvent.click(screen.getByRole('button', { name: 'edit cookie' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save cookie' }));
    await tick();
    expect(screen.getByRole('alert').textContent).toMatch(/did not take the cookie: The browser refused/);
    expect(screen.getByLabelText('Cookie value')).toBeTruthy();
  });

  it('the inspector offers no edit and says to use the DevTools panel', async () => {
    await pane(createNullPlatform('http://localhost:3000'));
    expect(screen.queryByRole('button', { name: 'edit cookie' })).toBeNull();
    expect(screen.getByTestId('cookie-readonly').textContent).toMatch(/DevTools panel/);
  });
});
