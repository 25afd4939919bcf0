/**
 * The agent's security requirements AG-1…AG-7 (docs/security-requirements.md), each by name, and
 * its handshake vector table as one table-driven test against a real server on port 0.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRODUCTION_OVERRIDE, attachAgent, startAgent } from '../../server-agent/agent/agent.js';
import {
  checkHost,
  checkToken,
  chromeExtensionId,
  isLoopbackAddress,
} from '../../server-agent/agent/guard.js';
import { PROTOCOL_VERSION, SUBPROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../../server-agent/agent/protocol.js';
import { createSessions } from '../../server-agent/create.js';
import { Client, type Harness, quietLogs, SECRET, startHarness } from './harness.js';
import { rawUpgrade } from './raw-upgrade.js';

const EXTENSION_ID = 'abcdefghijklmnopabcdefghijklmnop';
const OTHER_ID = 'ponmlkjihgfedcbaponmlkjihgfedcba';

let harness: Harness;
let logs: ReturnType<typeof quietLogs>;

beforeAll(async () => {
  logs = quietLogs();
  harness = await startHarness({ extensionIds: [EXTENSION_ID] });
});
afterAll(async () => {
  await harness.close();
  logs.restore();
});

const protocolFor = (token: string) => `${SUBPROTOCOL}, ${TOKEN_PROTOCOL_PREFIX}${token}`;

describe('handshake vectors (docs/security-requirements.md)', () => {
  type Row = {
    name: string;
    host: (port: number) => string | undefined;
    origin?: string;
    token: (t: string) => string | null;
    accept: boolean;
  };
  const extension = `chrome-extension://${EXTENSION_ID}`;
  const valid = (t: string) => t;
  const rows: Row[] = [
    {
      name: 'localhost + pinned extension + valid token',
      host: (p) => `localhost:${p}`,
      origin: extension,
      token: valid,
      accept: true,
    },
    {
      name: '127.0.0.1 + no Origin (non-browser) + valid token',
      host: (p) => `127.0.0.1:${p}`,
      token: valid,
      accept: true,
    },
    {
      name: '[::1] + pinned extension + valid token',
      host: (p) => `[::1]:${p}`,
      origin: extension,
      token: valid,
      accept: true,
    },
    {
      name: 'agent’s own origin + valid token',
      host: (p) => `localhost:${p}`,
      origin: 'http://localhost:PORT',
      token: valid,
      accept: true,
    },
    {
      name: 'moz-extension origin + valid token',
      host: (p) => `localhost:${p}`,
      origin: 'moz-extension://0f6ad6a4-6f0c-4a2b-9d52-1e0c3a0b9c11',
      token: valid,
      accept: true,
    },
    {
      name: 'missing token',
      host: (p) => `localhost:${p}`,
      origin: extension,
      token: () => null,
      accept: false,
    },
    {
      name: 'wrong token',
      host: (p) => `localhost:${p}`,
      origin: extension,
      token: (t) => `${t.slice(0, -1)}${t.endsWith('A') ? 'B' : 'A'}`,
      accept: false,
    },
    {
      name: 'token one char short',
      host: (p) => `localhost:${p}`,
      origin: extension,
      token: (t) => t.slice(0, -1),
      accept: false,
    },
    {
      name: 'token one char long',
      host: (p) => `localhost:${p}`,
      origin: extension,
      token: (t) => `${t}A`,
      accept: false,
    },
    {
      name: 'moz-extension without token',
      host: (p) => `localhost:${p}`,
      origin: 'moz-extension://0f6ad6a4-6f0c-4a2b-9d52-1e0c3a0b9c11',
      token: () => null,
      accept: false,
    },
    { name: 'no Origin without token', host: (p) => `127.0.0.1:${p}`, token: () => null, accept: false },
    {
      name: 'evil.example (rebinding)',
      host: (p) => `evil.example:${p}`,
      origin: extension,
      token: valid,
      accept: false,
    },
    {
      name: 'localhost6 (CVE-2021-22884)',
      host: (p) => `localhost6:${p}`,
      origin: extension,
      token: valid,
      accept: false,
    },
    { name: '10.0.2.555', host: (p) => `10.0.2.555:${p}`, origin: extension, token: valid, accept: false },
    {
      name: '0177.0.0.1 (octal)',
      host: (p) => `0177.0.0.1:${p}`,
      origin: extension,
      token: valid,
      accept: false,
    },
    {
      name: '2130706433 (integer)',
      host: (p) => `2130706433:${p}`,
      origin: extension,
      token: valid,
      accept: false,
    },
    { name: '127.1 (short form)', host: (p) => `127.1:${p}`, origin: extension, token: valid, accept: false },
    { name: 'malformed [', host: () => '[', origin: extension, token: valid, accept: false },
    { name: 'malformed ::::', host: () => '::::', origin: extension, token: valid, accept: false },
    {
      name: 'malformed 20 kB host',
      host: () => 'a'.repeat(20_000),
      origin: extension,
      token: valid,
      accept: false,
    },
    {
      name: 'malformed bare CR in host',
      host: () => 'localhost\revil.example',
      origin: extension,
      token: valid,
      accept: false,
    },
    {
      name: 'malformed bare LF in host',
      host: () => 'evil.example\nlocalhost',
      origin: extension,
      token: valid,
      accept: false,
    },
    {
      name: 'malformed NUL in host',
      host: () => 'local\0host',
      origin: extension,
      token: valid,
      accept: false,
    },
    { name: 'missing Host', host: () => undefined, origin: extension, token: valid, accept: false },
    {
      name: 'Origin null (CVE-2026-27977)',
      host: (p) => `localhost:${p}`,
      origin: 'null',
      token: valid,
      accept: false,
    },
    {
      name: 'IP web origin (CVE-2025-30360)',
      host: (p) => `localhost:${p}`,
      origin: 'http://203.0.113.7',
      token: valid,
      accept: false,
    },
    {
      name: 'attacker origin (CVE-2018-14732)',
      host: (p) => `localhost:${p}`,
      origin: 'https://attacker.example',
      token: valid,
      accept: false,
    },
    {
      name: 'other extension id',
      host: (p) => `localhost:${p}`,
      origin: `chrome-extension://${OTHER_ID}`,
      token: valid,
      accept: false,
    },
    {
      name: 'other localhost port',
      host: (p) => `localhost:${p}`,
      origin: 'http://localhost:1',
      token: valid,
      accept: false,
    },
  ];

  it.each(rows)('AG-3/AG-4/AG-5 $name → accept=$accept', async (row) => {
    const token = row.token(harness.agent.token);
    const origin = row.origin?.replace('PORT', String(harness.port));
    const { status, head } = await rawUpgrade(harness.port, {
      host: row.host(harness.port),
      origin,
      protocol: token === null ? SUBPROTOCOL : protocolFor(token),
    });
    if (row.accept) expect(status).toBe(101);
    else {
      expect(status).not.toBe(101);
      expect(status === 0 || status >= 400).toBe(true);
      if (status === 401 || status === 403)
        expect(head).toMatch(/x-sessionscope-refused: (token|origin|host)/);
    }
  });

  it('AG-3 the process is alive and still accepts after the malformed vectors', async () => {
    const client = await Client.connect(harness.agent.wsUrl, harness.agent.token);
    const welcome = await client.hello();
    expect(welcome.protocol).toBe(PROTOCOL_VERSION);
    await client.close();
  });

  it('AG-5 the token also works as ?token= and a refused upgrade never reaches the client set', async () => {
    const before = harness.agent.hub.clients.size;
    const { status } = await rawUpgrade(harness.port, {
      host: `localhost:${harness.port}`,
      path: `/__sessionscope/ws?token=${harness.agent.token}`,
    });
    expect(status).toBe(101);
    const refused = await rawUpgrade(harness.port, {
      host: `localhost:${harness.port}`,
      path: '/__sessionscope/ws?token=nope',
    });
    expect(refused.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(harness.agent.hub.clients.size).toBeLessThanOrEqual(before + 1);
  });
});

describe('requirements', () => {
  it('AG-1 refuses to start with NODE_ENV=production unless forced, and logs loudly when forced', async () => {
    const sessions = createSessions({ SECRET_KEY: SECRET, SESSION_ENGINE: 'db', DATABASE_URL: ':memory:' });
    const server = createServer();
    expect(() => attachAgent(server, sessions, { env: { NODE_ENV: 'production' }, announce: false })).toThrow(
      /NODE_ENV=production/,
    );
    await expect(
      startAgent(sessions, { env: { NODE_ENV: 'production' }, announce: false }),
    ).rejects.toMatchObject({ code: 'SESSION_AGENT_REFUSED' });
    expect(server.listenerCount('upgrade')).toBe(0);
    const seen = logs.lines.length;
    const forced = await startAgent(sessions, {
      env: { NODE_ENV: 'production' },
      allowInProduction: PRODUCTION_OVERRIDE,
      announce: false,
    });
    expect(logs.lines.slice(seen).some((line) => /FORCED ON/.test(line))).toBe(true);
    await forced.close();
    await sessions.close();
  });

  it('AG-1 a new token on every start; weak fixed tokens are refused', async () => {
    const sessions = createSessions({ SECRET_KEY: SECRET, SESSION_ENGINE: 'db', DATABASE_URL: ':memory:' });
    const a = await startAgent(sessions, { announce: false });
    const b = await startAgent(sessions, { announce: false });
    expect(a.token).not.toBe(b.token);
    expect(Buffer.from(a.token, 'base64url').length).toBeGreaterThanOrEqual(16);
    await Promise.all([a.close(), b.close()]);
    await expect(startAgent(sessions, { token: 'short', announce: false })).rejects.toThrow(/128 bits/);
    await sessions.close();
  });

  it('AG-2 startAgent binds loopback, checks the bound address, and refuses other hosts', async () => {
    const sessions = createSessions({ SECRET_KEY: SECRET, SESSION_ENGINE: 'db', DATABASE_URL: ':memory:' });
    const agent = await startAgent(sessions, { announce: false });
    expect(agent.url).toMatch(/^http:\/\/localhost:\d+\/__sessionscope\/#token=/);
    await expect(startAgent(sessions, { host: '0.0.0.0', announce: false })).rejects.toThrow(/loopback/);
    expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('192.0.2.2')).toBe(false);
    await agent.close();
    await sessions.close();
  });

  it('AG-2 on the app’s own server, an upgrade from a non-loopback peer is refused', async () => {
    // Traffic stays on loopback (this workplace allows no other target): the next accepted socket is
    // made to report a public peer address, which is what the agent's upgrade handler checks.
    const sessions = createSessions({ SECRET_KEY: SECRET, SESSION_ENGINE: 'db', DATABASE_URL: ':memory:' });
    const server = createServer((_req, res) => res.end('app'));
    let spoofNextPeer = false;
    server.prependListener('connection', (socket) => {
      if (!spoofNextPeer) return;
      spoofNextPeer = false;
      Object.defineProperty(socket, 'remoteAddress', { value: '203.0.113.7' });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const agent = attachAgent(server, sessions, { announce: false });
    const port = (server.address() as { port: number }).port;
    const protocol = protocolFor(agent.token);
    expect((await rawUpgrade(port, { host: `localhost:${port}`, protocol })).status).toBe(101);
    spoofNextPeer = true;
    const { status, head } = await rawUpgrade(port, { host: `localhost:${port}`, protocol });
    expect(status).toBe(403);
    expect(head).toMatch(/x-sessionscope-refused: peer/);
    await agent.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await sessions.close();
  });

  it('AG-3 malformed Host values never throw', () => {
    for (const host of [
      '[',
      '::::',
      '\0',
      'a'.repeat(20_000),
      '[::1',
      '[zz]:1',
      'localhost:99999',
      'x:y:z',
      '',
      '%00',
    ]) {
      expect(() => checkHost(host)).not.toThrow();
      expect(checkHost(host).ok).toBe(false);
    }
    expect(checkHost('foo.localhost:3000').ok).toBe(true);
    expect(checkHost('[::1]:3000').ok).toBe(true);
  });

  it('AG-4 the default pinned extension id is the one Chrome gives the manifest key', async () => {
    // Written down, not derived: sha256 of the DER key in manifest.json, first 32 hex digits mapped
    // 0-f → a-p (computed once with `base64 -d | openssl dgst -sha256`); the e2e suite loads the
    // unpacked extension into Chromium under this same id.
    const CHROME_ID = 'bbbecghifmkhegpglelinmnokfgalggg';
    const manifest = JSON.parse(readFileSync(new URL('../../manifest.json', import.meta.url), 'utf8')) as {
      key: string;
    };
    expect(chromeExtensionId(manifest.key)).toBe(CHROME_ID);
    // And the agent pins it when no extensionIds are given.
    const pinned = await startHarness();
    try {
      const upgrade = (id: string) =>
        rawUpgrade(pinned.port, {
          host: `localhost:${pinned.port}`,
          origin: `chrome-extension://${id}`,
          protocol: protocolFor(pinned.agent.token),
        });
      expect((await upgrade(CHROME_ID)).status).toBe(101);
      expect((await upgrade(OTHER_ID)).head).toMatch(/x-sessionscope-refused: origin/);
    } finally {
      await pinned.close();
    }
  });

  it('AG-5 token comparison checks length first and never throws', () => {
    expect(checkToken('a'.repeat(43), 'a'.repeat(43)).ok).toBe(true);
    expect(checkToken('a'.repeat(42), 'a'.repeat(43)).ok).toBe(false);
    expect(checkToken('é'.repeat(43), 'a'.repeat(43)).ok).toBe(false);
    expect(checkToken(null, 'a'.repeat(43)).ok).toBe(false);
  });

  it('AG-6 caps clients at maxClients (refused before 101), oversized frames close with 1009', async () => {
    const clients = await Promise.all(
      Array.from({ length: 4 }, () => Client.connect(harness.agent.wsUrl, harness.agent.token)),
    );
    const fifth = await rawUpgrade(harness.port, {
      host: `localhost:${harness.port}`,
      protocol: protocolFor(harness.agent.token),
    });
    expect(fifth.status).toBe(503);
    expect(fifth.head).toMatch(/too_many_clients/);
    const big = clients[0]!;
    big.send('x'.repeat(1024 * 1024 + 10));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(big.closed?.code).toBe(1009);
    await Promise.all(clients.map((client) => client.close()));
  });

  it('AG-6 floods are throttled with a nack, then closed; no hello within the timeout closes', async () => {
    const client = await Client.connect(harness.agent.wsUrl, harness.agent.token);
    await client.hello();
    for (let i = 0; i < 700; i++) client.send({ v: 1, type: 'unsubscribe' });
    await client.next((m) => m.type === 'nack' && m.code === 'rate_limited');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(client.closed?.code).toBe(4008);

    const quiet = await startHarness({ handshakeTimeoutMs: 100 });
    const silent = await Client.connect(quiet.agent.wsUrl, quiet.agent.token);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(silent.closed?.code).toBe(4010);
    await quiet.close();
  });

  it('AG-6 a command dropped by the rate limit is nacked with its own id (the client never waits forever)', async () => {
    const client = await Client.connect(harness.agent.wsUrl, harness.agent.token);
    await client.hello();
    for (let i = 0; i < 100; i++) client.send({ v: 1, type: 'unsubscribe' });
    client.send({ v: 1, type: 'command', id: 4242, op: 'clockReset' });
    const nack = await client.next((m) => m.type === 'nack' && m.id === 4242);
    expect(nack).toMatchObject({ code: 'rate_limited' });
    await client.close();
  });

  it('AG-7 read-only mode nacks writes, reads still work; writes are audited with masked handles', async () => {
    const ro = await startHarness({ readOnly: true });
    const res = await fetch(`${ro.baseUrl}/set?name=ada`);
    const client = await Client.ready(ro.agent.wsUrl, ro.agent.token);
    expect(res.status).toBe(200);
    const list = await client.ok('listSessions', {});
    const handle = list.items[0]!.session;
    const answer = await client.command('set', { session: handle, key: 'x', value: 1 });
    expect(answer).toMatchObject({ type: 'nack', code: 'read_only' });
    expect((await client.ok('getSession', { session: handle })).entries).toContainEqual([
      'name',
      { t: 'value', value: 'ada' },
    ]);
    expect(
      logs.lines.some(
        (line) =>
          line.includes('audit') &&
          line.includes(`session=${handle.slice(0, 6)}…`) &&
          line.includes('read_only'),
      ),
    ).toBe(true);
    expect(logs.lines.some((line) => line.includes(handle))).toBe(false);
    await client.close();
    await ro.close();
  });

  it('AG-7 nested secret keys ({profile:{password}}) are redacted in views, events, getValue and searches', async () => {
    const nested = await startHarness({
      app: async (req, res) => {
        await req.session!.set('profile', {
          name: 'ada',
          password: 'hunter2',
          // Secrets long and odd enough that no random handle, request id or timestamp contains them
          // (a two-character 'x9' once matched inside a handle: a false failure).
          cards: [{ cvv_token: 'cvv-secret-x9' }],
          credentials: { pin: 'pin-secret-4321' },
        });
        res.end('ok');
      },
    });
    try {
      const client = await Client.ready(nested.agent.wsUrl, nested.agent.token);
      await fetch(`${nested.baseUrl}/`);
      const modified = await client.waitEvent((e) => e.type === 'session.modified' && e.key === 'profile');
      expect(JSON.stringify(modified)).not.toMatch(/hunter2|cvv-secret/);
      expect(JSON.stringify(modified)).toContain('ada');
      const list = await client.ok('listSessions', { query: 'hunter2', field: 'value' });
      expect(list.items).toHaveLength(0);
      const found = await client.ok('listSessions', { query: 'ada', field: 'value' });
      const handle = found.items[0]!.session;
      const view = await client.ok('getSession', { session: handle });
      expect(JSON.stringify(view)).not.toMatch(/hunter2|cvv-secret/);
      const profile = view.entries.find(([key]) => key === 'profile')?.[1];
      expect(profile).toMatchObject({ t: 'object' });
      expect(profile?.t === 'object' && profile.entries).toContainEqual([
        'password',
        { t: 'redacted', bytes: 9 },
      ]);
      const whole = await client.ok('getValue', { session: handle, path: ['profile'] });
      expect(JSON.stringify(whole)).not.toMatch(/hunter2|cvv-secret/);
      const leaf = await client.ok('getValue', { session: handle, path: ['profile', 'password'] });
      expect(leaf.value.t).toBe('redacted');
      const deep = await client.ok('getValue', { session: handle, path: ['profile', 'cards', 0] });
      expect(JSON.stringify(deep)).not.toContain('cvv-secret');
      // Through a secret key into a harmless-looking one: still redacted.
      const through = await client.ok('getValue', {
        session: handle,
        path: ['profile', 'credentials', 'pin'],
      });
      expect(through.value).toMatchObject({ t: 'redacted' });
      expect(client.messages.some((m) => /hunter2|cvv-secret|pin-secret/.test(JSON.stringify(m)))).toBe(
        false,
      );
      await client.close();
    } finally {
      await nested.close();
    }
  });

  it('AG-7 secret-looking keys are redacted in views, events and searches by default', async () => {
    const client = await Client.ready(harness.agent.wsUrl, harness.agent.token);
    await fetch(`${harness.baseUrl}/set?password=hunter2&csrf_token=abc&color=blue`);
    const modified = await client.waitEvent((e) => e.type === 'session.modified' && e.key === 'password');
    expect(JSON.stringify(modified)).not.toContain('hunter2');
    const list = await client.ok('listSessions', { query: 'hunter2', field: 'value' });
    expect(list.items).toHaveLength(0);
    const found = await client.ok('listSessions', { query: 'blue', field: 'value' });
    const view = await client.ok('getSession', { session: found.items[0]!.session });
    expect(view.redacted).toBe(2);
    expect(JSON.stringify(view)).not.toMatch(/hunter2|"abc"/);
    const fetched = await client.ok('getValue', { session: view.session, path: ['password'] });
    expect(fetched.value.t).toBe('redacted');
    await client.close();
  });
});
