/**
 * I10: the packed tarball, installed into fresh apps as users install it (`npm install --omit=dev
 * <tarball>`): the file list, every consumer (ESM, CommonJS, strict TypeScript per framework),
 * real HTTP login/read/logout, the served inspector in Chromium, the extension's origin, the
 * drivers on Node 20/22/24, bad input at createSessions, and the README's samples.
 * One pack and one install per framework for the whole file (the slow parts).
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_ID } from '../../server-agent/agent/extension-id.js';
import { Client } from '../agent/harness.js';
import { IN_CI } from '../helpers/services.js';
import { django, djangoVersion } from '../interop/django.js';
import {
  BAD_INPUT,
  BARE_NODE,
  EXPRESS_CJS,
  EXPRESS_ESM,
  EXPRESS_TS,
  FASTIFY_TS,
  HONO_TS,
  KOA_TS,
  ROOT_ENTRY_TS,
  TSCONFIG,
} from './apps.js';
import {
  chromiumAvailable,
  inspectorListsSessions,
  inspectorShowsUser,
  launchChromium,
  SHOTS,
} from './browser.js';
import { type App, compileApp, installApp, installFootprint, runScript, start } from './install.js';
import { type Packed, packedListProblems, packTarball, REPO } from './pack.js';
import { readmePrograms } from './readme.js';

const SECRET_KEY = 'package-smoke-secret-key-0123456789abcdefghijklmnopqrstuvwxyz';
const NODE = process.execPath;
const TSC = join(REPO, 'node_modules/typescript/bin/tsc');
const EXTRA_NODES = ['22', '24'].map((major) => ({
  major,
  path: join(REPO, `.cache/node/${major}/bin/node`),
}));
const HAS_NODE_SQLITE = !!process.getBuiltinModule('node:sqlite');
/** A Node older than engines allows, for the one-line refusal (.ci/run downloads it; nothing else runs on it). */
const OLD_NODE = { major: '18', path: join(REPO, '.cache/node/18/bin/node') };

let packed: Packed;
let root: string;
let browser: Browser | undefined;
const apps: Partial<Record<'bare' | 'express' | 'fastify' | 'koa' | 'hono', App>> = {};
const app = (name: keyof typeof apps): App => {
  const found = apps[name];
  if (!found) throw new Error(`app ${name} was not installed`);
  return found;
};

/**
 * On a Node without node:sqlite (20), the apps' default engine needs better-sqlite3, which a user
 * adds with `npm install better-sqlite3`. Compiling it for every temporary app would cost ~50 s
 * each, so the clone's build (same Node) is copied in. The bare app never gets it: it proves the
 * missing-driver error, and the no-compiler path on Node 22/24.
 */
function addBetterSqlite(dir: string): void {
  for (const name of ['better-sqlite3', 'bindings', 'file-uri-to-path'])
    cpSync(join(REPO, 'node_modules', name), join(dir, 'node_modules', name), {
      recursive: true,
      dereference: true,
    });
}

beforeAll(async () => {
  packed = packTarball();
  root = mkdtempSync(join(tmpdir(), 'sessionscope-apps-'));
  const tarball = packed.tarball;
  [apps.bare, apps.express, apps.fastify, apps.koa, apps.hono] = await Promise.all([
    installApp(root, 'bare', tarball, [], 'commonjs'),
    installApp(root, 'express', tarball, ['express@5', '@types/express@5', '@types/node@20']),
    installApp(root, 'fastify', tarball, ['fastify@5', '@types/node@20']),
    installApp(root, 'koa', tarball, ['koa@3', '@types/koa@3', '@types/node@20']),
    installApp(root, 'hono', tarball, ['hono@4', '@hono/node-server@2', '@types/node@20']),
  ]);
  app('bare').write('app.mjs', BARE_NODE);
  app('bare').write('bad-input.cjs', BAD_INPUT);
  const express = app('express');
  express.write('app.mjs', EXPRESS_ESM);
  express.write('app.cjs', EXPRESS_CJS);
  express.write('app.ts', EXPRESS_TS);
  const readme = readmePrograms();
  express.write('readme/express.ts', readme.express);
  express.write('readme/agent.ts', readme.agent);
  for (const [i, sample] of readme.imports.entries()) express.write(`readme/imports-${i}.mjs`, sample);
  for (const [i, sample] of readme.typecheck.entries()) express.write(`readme/check-${i}.ts`, sample);
  app('fastify').write('app.ts', FASTIFY_TS);
  app('koa').write('app.ts', KOA_TS);
  app('hono').write('app.ts', HONO_TS);
  for (const name of ['fastify', 'koa', 'hono'] as const)
    app(name).write('root-entry.ts', ROOT_ENTRY_TS[name]);
  for (const name of ['express', 'fastify', 'koa', 'hono'] as const) {
    app(name).write('tsconfig.json', TSCONFIG);
    if (!HAS_NODE_SQLITE) addBetterSqlite(app(name).dir);
  }
  // Each app's own tsc run: strict, skipLibCheck off, only its framework's types installed.
  await Promise.all(
    (['express', 'fastify', 'koa', 'hono'] as const).map((name) => compileApp(app(name).dir, TSC)),
  );
  if (chromiumAvailable()) browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  packed?.cleanup();
  if (root) rmSync(root, { recursive: true, force: true });
});

const installed = (name: keyof typeof apps, path = '') =>
  join(app(name).dir, 'node_modules/sessionscope', path);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** POST /login?user=… then GET /: the session cookie and the user it carries. */
async function logIn(base: string, user: string): Promise<string> {
  const login = await fetch(`${base}/login?user=${user}`, { method: 'POST', redirect: 'manual' });
  expect(login.status).toBe(302);
  const cookie = login.headers.getSetCookie().find((c) => c.startsWith('sessionid='));
  expect(cookie).toMatch(/^sessionid=[a-z0-9]{32}; .*HttpOnly/i);
  const jar = (cookie ?? '').split(';', 1)[0] ?? '';
  const read = await fetch(`${base}/`, { headers: { cookie: jar } });
  expect(await read.text()).toBe(`user=${user}`);
  return jar;
}

async function logOut(base: string, jar: string): Promise<void> {
  const logout = await fetch(`${base}/logout`, {
    method: 'POST',
    headers: { cookie: jar },
    redirect: 'manual',
  });
  expect(logout.status).toBe(302);
  expect(logout.headers.getSetCookie().join('\n')).toMatch(/^sessionid=[^;]*; .*Max-Age=0/im);
  const after = await fetch(`${base}/`, { headers: { cookie: jar } });
  expect(await after.text()).toBe('user=');
}

describe('I10 the packed tarball', () => {
  it('prepack rebuilds dist/ from scratch: the list follows the rules, stale build output stays out', () => {
    expect(packedListProblems(packed.files, packed.sources)).toEqual([]);
    expect(packed.files.filter((file) => /gone|stale/.test(file))).toEqual([]);
  });

  it('ships LICENSE, repository/homepage/bugs, no install-time scripts, optional peer drivers', () => {
    const pkg = JSON.parse(readFileSync(installed('bare', 'package.json'), 'utf8')) as Record<
      string,
      unknown
    > & {
      scripts?: Record<string, string>;
    };
    expect(readFileSync(installed('bare', 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    expect(pkg.license).toBe('MIT');
    expect(pkg.repository).toMatchObject({ type: 'git' });
    expect(pkg.homepage).toEqual(expect.any(String));
    expect(pkg.bugs).toMatchObject({ url: expect.any(String) });
    for (const script of ['prepare', 'preinstall', 'install', 'postinstall'])
      expect(pkg.scripts?.[script]).toBeUndefined();
    expect(Object.keys(pkg.dependencies as object).sort()).toEqual(['cookie', 'ws']);
    expect(pkg.optionalDependencies).toBeUndefined();
    expect(pkg.peerDependenciesMeta).toEqual({
      'better-sqlite3': { optional: true },
      ioredis: { optional: true },
      pg: { optional: true },
    });
  });

  it('source maps carry their sources (nothing points at unshipped .ts files)', () => {
    const dir = installed('bare', 'dist/server-agent');
    const maps: string[] = [];
    const walk = (path: string) => {
      for (const entry of readdirSync(path, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(join(path, entry.name));
        else if (entry.name.endsWith('.map')) maps.push(join(path, entry.name));
      }
    };
    walk(dir);
    expect(maps.length).toBeGreaterThan(50);
    for (const file of maps) {
      const map = JSON.parse(readFileSync(file, 'utf8')) as {
        sources: string[];
        sourcesContent?: (string | null)[];
      };
      expect(map.sourcesContent?.length, file).toBe(map.sources.length);
      expect(
        map.sourcesContent?.every((source) => typeof source === 'string' && source.length > 0),
        file,
      ).toBe(true);
    }
  });

  it('the installed agent finds its inspector build and the extension zips (no "npm run build:ui" page)', () => {
    expect(readFileSync(installed('bare', 'dist/inspector/index.html'), 'utf8')).toMatch(
      /<script[^>]+src="\.\/assets\//,
    );
    for (const zip of ['sessionscope-chrome.zip', 'sessionscope-firefox.zip'])
      expect(
        readFileSync(installed('bare', `dist/${zip}`))
          .subarray(0, 2)
          .toString(),
      ).toBe('PK');
    expect(existsSync(installed('bare', 'manifest.json'))).toBe(false);
  });

  it('the UI bundles are production builds, whatever NODE_ENV packs them (this pack runs under NODE_ENV=test)', () => {
    // A development build (Vite honours an inherited NODE_ENV) is larger and embeds the build
    // machine's absolute source paths (jsxDEV's __source); prepack pins NODE_ENV=production.
    expect(process.env.NODE_ENV).toBe('test');
    const scripts: string[] = [];
    const walk = (path: string) => {
      for (const entry of readdirSync(path, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(join(path, entry.name));
        else if (entry.name.endsWith('.js')) scripts.push(join(path, entry.name));
      }
    };
    walk(installed('bare', 'dist/inspector'));
    walk(installed('bare', 'dist/extension'));
    expect(scripts.length).toBeGreaterThan(3);
    for (const file of scripts) expect(readFileSync(file, 'utf8'), file).not.toContain(packed.dir);
  });

  it('npm install --omit=dev of the tarball alone pulls no driver and nothing to compile; footprint recorded', () => {
    for (const name of ['better-sqlite3', 'pg', 'ioredis', 'prebuild-install', 'node-gyp'])
      expect(existsSync(join(app('bare').dir, 'node_modules', name)), name).toBe(false);
    const footprint = installFootprint(app('bare').dir);
    expect(footprint.packages).toBeLessThanOrEqual(3);
    mkdirSync(SHOTS, { recursive: true });
    writeFileSync(
      join(SHOTS, 'footprint.json'),
      `${JSON.stringify({ ...footprint, tarballBytes: packed.size, unpackedBytes: packed.unpackedSize }, null, 2)}\n`,
    );
  });
});

describe('I10 bad input at createSessions (installed package, CommonJS)', () => {
  it('missing drivers and an unknown engine fail at createSessions with ImproperlyConfigured and the fix', () => {
    const { status, output } = runScript(NODE, ['bad-input.cjs'], app('bare').dir);
    expect(status, output).toBe(0);
    const result = JSON.parse(output.trim().split('\n').pop() ?? '{}') as Record<
      string,
      { code: string; message: string; name: string } | 'created'
    >;
    const improperly = (fix: RegExp) => ({
      code: 'SESSION_IMPROPERLY_CONFIGURED',
      name: 'ImproperlyConfigured',
      message: expect.stringMatching(fix),
    });
    if (HAS_NODE_SQLITE) expect(result.defaultEngine).toBe('created');
    else expect(result.defaultEngine).toEqual(improperly(/npm install better-sqlite3/));
    expect(result.postgres).toEqual(improperly(/npm install pg/));
    expect(result.redis).toEqual(improperly(/npm install ioredis/));
    expect(result.unknownEngine).toEqual(improperly(/SESSION_ENGINE "mongo"/));
  });
});

describe('I10 an unsupported Node: one line naming the minimum version (installed package)', () => {
  const line =
    /^sessionscope needs Node\.js 20\.19\.0 or newer; this is Node\.js v18\.\d+\.\d+\. Upgrade Node/;

  it(`Node ${OLD_NODE.major}: import, require and the CLI each refuse with the minimum version`, (context) => {
    if (!existsSync(OLD_NODE.path)) {
      if (IN_CI)
        throw new Error(
          `.ci/run downloads Node ${OLD_NODE.major} into .cache/node/${OLD_NODE.major}; it is missing`,
        );
      return context.skip(
        `Node ${OLD_NODE.major} is not in .cache/node/${OLD_NODE.major} (.ci/run downloads it)`,
      );
    }
    const dir = app('bare').dir;
    // ES modules link every static import before any module runs: a named import of a newer built-in
    // export anywhere in the package would fail there, before node-version.js could say why.
    const esm = runScript(OLD_NODE.path, ['--input-type=module', '-e', "await import('sessionscope')"], dir);
    expect(esm.status, esm.output).not.toBe(0);
    expect(esm.output.split('\n').find((l) => l.startsWith('Error'))).toMatch(
      /^Error: sessionscope needs Node\.js 20\.19\.0/,
    );
    const cjs = runScript(OLD_NODE.path, ['-e', "require('sessionscope')"], dir);
    expect(cjs.status, cjs.output).not.toBe(0);
    expect(cjs.output.split('\n').find((l) => l.startsWith('Error'))).toMatch(
      /^Error: sessionscope needs Node\.js 20\.19\.0/,
    );
    // The command prints exactly the line, nothing else.
    const cli = runScript(OLD_NODE.path, ['node_modules/sessionscope/bin/sessionscope.js', '--version'], dir);
    expect(cli.status).toBe(1);
    expect(cli.output).toMatch(line);
    expect(cli.output.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('I10 Node 22 and 24: the default engine with nothing but the tarball installed', () => {
  for (const { major, path } of EXTRA_NODES) {
    it(`Node ${major}: db engine on node:sqlite, login/read/logout over HTTP`, async (context) => {
      if (!existsSync(path)) {
        if (IN_CI) throw new Error(`.ci/run installs Node ${major} into .cache/node/${major}; it is missing`);
        return context.skip(`Node ${major} is not in .cache/node/${major} (.ci/run installs it)`);
      }
      const running = start(path, ['app.mjs'], app('bare').dir, { SECRET_KEY });
      try {
        const ready = JSON.parse(await running.ready) as { port: number; engine: string };
        expect(ready.engine).toBe('db');
        const base = `http://127.0.0.1:${ready.port}`;
        await logOut(base, await logIn(base, `node${major}`));
        expect(existsSync(join(app('bare').dir, '.sessionscope/sessions.sqlite3'))).toBe(true);
      } finally {
        await running.stop();
      }
    });
  }
});

describe('I10 every consumer: install, run, HTTP, the served inspector in Chromium, the extension origin', () => {
  const cases = [
    { name: 'express-esm', app: 'express', args: ['app.mjs'] },
    { name: 'express-cjs', app: 'express', args: ['app.cjs'] },
    { name: 'express-ts', app: 'express', args: ['out/app.js'] },
    { name: 'fastify-ts', app: 'fastify', args: ['out/app.js'] },
    { name: 'koa-ts', app: 'koa', args: ['out/app.js'] },
    { name: 'hono-ts', app: 'hono', args: ['out/app.js'] },
  ] as const;

  for (const c of cases) {
    it(`${c.name}: login/read/logout, inspector shows the session, extension origin accepted`, async () => {
      const running = start(NODE, [...c.args], app(c.app).dir, { SECRET_KEY });
      try {
        const ready = JSON.parse(await running.ready) as {
          port: number;
          inspector: string;
          ws: string;
          token: string;
        };
        const base = `http://127.0.0.1:${ready.port}`;
        const user = c.name.replace(/-/g, '_');
        const jar = await logIn(base, user);
        if (browser) await inspectorShowsUser(browser, ready.inspector, user, c.name);
        else if (IN_CI) throw new Error('Chromium is missing (.ci/run installs it)');
        const client = await Client.connect(ready.ws, ready.token, {
          origin: `chrome-extension://${EXTENSION_ID}`,
        });
        expect((await client.hello()).type).toBe('welcome');
        client.ws.close();
        await expect(
          Client.connect(ready.ws, ready.token, {
            origin: 'chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba',
          }),
        ).rejects.toThrow(/refused 403/);
        await logOut(base, jar);
      } finally {
        await running.stop();
      }
    }, 60_000);
  }
});

describe('I10 README samples run as written against the installed package', () => {
  it('the Express example listens and logs in, reads and logs out', async () => {
    const port = await freePort();
    const running = start(
      NODE,
      ['out/readme/express.js'],
      app('express').dir,
      { SECRET_KEY, PORT: String(port) },
      /./,
    );
    try {
      const base = `http://127.0.0.1:${port}`;
      await expect
        .poll(
          () =>
            fetch(base).then(
              (r) => r.status,
              () => 0,
            ),
          { timeout: 10_000 },
        )
        .toBe(200);
      expect(await (await fetch(base)).text()).toBe('Hello stranger');
      const login = await fetch(`${base}/login`, { method: 'POST', redirect: 'manual' });
      const jar = (login.headers.getSetCookie()[0] ?? '').split(';', 1)[0] ?? '';
      expect(await (await fetch(base, { headers: { cookie: jar } })).text()).toBe('Hello ada');
      await fetch(`${base}/logout`, { method: 'POST', headers: { cookie: jar }, redirect: 'manual' });
      expect(await (await fetch(base, { headers: { cookie: jar } })).text()).toBe('Hello stranger');
    } finally {
      await running.stop();
    }
  });

  it('the agent sample prints the inspector URL, which serves the built inspector', async () => {
    const port = await freePort();
    const running = start(
      NODE,
      ['out/readme/agent.js'],
      app('express').dir,
      { SECRET_KEY, PORT: String(port) },
      /sessionscope inspector: \S+/,
    );
    try {
      const line = await running.ready;
      const url = /sessionscope inspector: (\S+)/.exec(line)?.[1] ?? '';
      expect(url).toMatch(new RegExp(`^http://localhost:${port}/__sessionscope/#token=[\\w-]{43}$`));
      const page = await fetch(url.replace('localhost', '127.0.0.1'));
      expect(await page.text()).not.toContain('npm run build:ui');
    } finally {
      await running.stop();
    }
  });

  it('the other samples type-check under strict against the installed package (compiled in beforeAll)', () => {
    const compiled = readdirSync(join(app('express').dir, 'out/readme')).filter((file) =>
      file.startsWith('check-'),
    );
    expect(compiled.length).toBe(readmePrograms().typecheck.length);
  });

  it('the import lists import', () => {
    const samples = readdirSync(join(app('express').dir, 'readme')).filter((file) =>
      file.startsWith('imports-'),
    );
    expect(samples.length).toBeGreaterThan(0);
    for (const file of samples) {
      const { status, output } = runScript(NODE, [`readme/${file}`], app('express').dir);
      expect(status, output).toBe(0);
    }
  });
});

describe('I10 npx sessionscope inspect from the installed package over a Django app’s sessions', () => {
  it('shows the sessions Django wrote in its SQLite django_session table', async (context) => {
    if (!(await djangoVersion())) {
      if (IN_CI) throw new Error('python3-django is missing (.ci/run installs it)');
      return context.skip('python3-django is not installed');
    }
    const database = join(root, 'django.sqlite3');
    const djangoDb = { ENGINE: 'django.db.backends.sqlite3', NAME: database };
    await django({ op: 'migrate', secret: SECRET_KEY, db: djangoDb });
    await django({
      op: 'write',
      engine: 'db',
      secret: SECRET_KEY,
      db: djangoDb,
      data: { user: 'from-django' },
    });
    const bin = join(app('express').dir, 'node_modules/.bin/sessionscope');
    const running = start(
      NODE,
      [bin, 'inspect', '--engine', 'db', '--database-url', database, '--secret-key', SECRET_KEY],
      app('express').dir,
      {},
      /sessionscope inspector: \S+/,
    );
    try {
      const url = /sessionscope inspector: (\S+)/.exec(await running.ready)?.[1] ?? '';
      expect(url).toContain('/__sessionscope/#token=');
      if (!browser) {
        if (IN_CI) throw new Error('Chromium is missing (.ci/run installs it)');
        return context.skip('Chromium is not installed');
      }
      expect(await inspectorListsSessions(browser, url, 'inspect-django')).toBeGreaterThanOrEqual(1);
    } finally {
      await running.stop();
    }
  });
});
