/**
 * Firefox for real: Debian's firefox-esr over WebDriver BiDi, with the Firefox build of the
 * extension installed by `webExtension.install` (dist/extension-firefox). Flows: the companion
 * inspector (pair from the URL fragment, view, edit), and the extension's panel page (pair, view
 * with the cookie read through the real background relay, edit). The panel page is opened as a tab:
 * BiDi cannot reach DevTools' toolbox (a privileged document), so `browser.devtools` is stubbed in
 * the page and the panel module is run again (see openPanel).
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, startApp } from '../app.js';
import { type Firefox, firefoxAvailable, launchFirefox } from './bidi.js';

const root = resolve(import.meta.dirname, '../../..');
const available = firefoxAvailable();
if (!available && process.env.CI)
  throw new Error('Firefox is missing at /usr/bin/firefox-esr (apt-get install -y firefox-esr)');

/** DOM helpers evaluated inside the page before each step's expression. */
const HELPERS = `
  const byLabel = (label) => document.querySelector('[aria-label="' + label + '"]');
  const button = (name) => [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === name);
  // Preact re-renders after a tick: click only once the typed value is in the component's state.
  const fill = async (el, value) => {
    el.value = value;
    el.dispatchEvent(new Event('input', { bubbles: true }));
    await new Promise((r) => setTimeout(r, 50));
  };
  const text = (selector) => document.querySelector(selector)?.textContent ?? null;
  const row = (key) => document.querySelector('[data-key="' + key + '"] > .tree-row');
`;

/** Stands in for browser.devtools in a tab (the toolbox is out of BiDi's reach). */
const DEVTOOLS_STUB = (inspected: string) => `
  const stub = {
    inspectedWindow: { tabId: 1, eval: (_expr, cb) => cb && cb(${JSON.stringify(inspected)}, undefined) },
    panels: { themeName: 'light', create() {}, onThemeChanged: { addListener() {}, removeListener() {} } },
    network: {
      onRequestFinished: { addListener() {}, removeListener() {} },
      onNavigated: { addListener() {}, removeListener() {} },
    },
  };
  browser.devtools = stub;
`;

describe.skipIf(!available)('E2E Firefox (firefox-esr over WebDriver BiDi)', () => {
  let app: E2eApp;
  let firefox: Firefox;
  let page: string;

  const newTab = async () =>
    (await firefox.bidi.send<{ context: string }>('browsingContext.create', { type: 'tab' })).context;
  const go = (context: string, url: string) =>
    firefox.bidi.send('browsingContext.navigate', { context, url, wait: 'complete' });
  const run = <T>(context: string, body: string) =>
    firefox.bidi.evaluate<T>(context, `(async () => { ${HELPERS} ${body} })()`);
  const until = async <T>(context: string, body: string, ms = 10_000): Promise<T> => {
    const end = Date.now() + ms;
    let last: T | undefined;
    for (;;) {
      last = await run<T>(context, body).catch(() => undefined);
      if (last) return last;
      if (Date.now() > end) {
        const page = await run<string>(context, 'return document.body.innerText.slice(0, 1500);').catch(
          String,
        );
        throw new Error(`timed out: ${body} (last ${JSON.stringify(last)})\n--- page ---\n${page}`);
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  };
  const appUser = async () => {
    await go(page, app.url);
    return run<string>(page, `return text('#user');`);
  };
  const editUser = async (context: string, value: string) => {
    await run(context, `row('user').querySelector('[title="Edit user as JSON"]').click();`);
    await until(context, `return Boolean(byLabel('JSON value of user'));`);
    await run(
      context,
      `await fill(byLabel('JSON value of user'), ${JSON.stringify(JSON.stringify(value))}); button('Save').click();`,
    );
  };

  beforeAll(async () => {
    execFileSync('npm', ['run', '-s', 'build:ui'], { cwd: root, stdio: 'ignore' });
    app = await startApp();
    firefox = await launchFirefox(resolve(root, 'dist/extension-firefox'));
    page = await newTab();
  }, 120_000);

  afterAll(async () => {
    await firefox?.close();
    await app?.close();
  });

  it('E2E-FF inspector: pairs from the URL fragment, shows the session, and an edit reaches the app', async () => {
    const inspector = await newTab();
    await go(inspector, `${app.origin}/__sessionscope/#token=${app.agent.token}`);
    await until(inspector, `return text('[data-testid="connection-status"]') === 'Connected';`);
    await go(page, `${app.url}login?user=fiona`);
    expect(await run(page, `return text('#user');`)).toBe('fiona');
    await until(inspector, `return row('user')?.textContent.includes('"fiona"');`);
    await editUser(inspector, 'gita');
    await until(inspector, `return row('user')?.textContent.includes('"gita"');`);
    expect(await appUser()).toBe('gita');
    await firefox.bidi.send('browsingContext.close', { context: inspector });
  });

  it('E2E-FF panel: the installed extension pairs, reads the cookie through its background, and edits', async () => {
    const panel = await newTab();
    await go(panel, `${firefox.extensionOrigin}/extension/panel.html`);
    // The first run of the panel module found no browser.devtools; stub it and run the module again.
    await run(
      panel,
      `${DEVTOOLS_STUB(app.url)}
       const src = document.querySelector('script[type="module"]').src;
       document.getElementById('app').replaceChildren();
       await import(src + '?devtools-stub');
       return true;`,
    );
    await until(panel, `return text('.doctor')?.includes('Agent found at');`);
    await run(
      panel,
      `await fill(byLabel('Inspector URL or token'), ${JSON.stringify(`${app.origin}/__sessionscope/#token=${app.agent.token}`)}); button('Pair').click();`,
    );
    await until(panel, `return text('[data-testid="connection-status"]') === 'Connected';`);
    await go(page, `${app.url}login?user=hana`);
    await until(panel, `return row('user')?.textContent.includes('"hana"');`);
    // The cookie jar through the background relay (Firefox gives DevTools pages no cookies API).
    const name = await until<string>(
      panel,
      `const tr = [...document.querySelectorAll('.cookie-grid tr')].find((r) => r.querySelector('th')?.textContent === 'Name');
       const cells = [...tr.querySelectorAll('td')].map((td) => td.textContent);
       return cells[0] === 'sessionid' ? cells.join('|') : null;`,
    );
    expect(name).toBe('sessionid|sessionid');
    await editUser(panel, 'ines');
    await until(panel, `return row('user')?.textContent.includes('"ines"');`);
    expect(await appUser()).toBe('ines');
  });
});
