/**
 * The handshake guards as tables (AG-2 peer, AG-3 Host, AG-4 Origin, AG-5 token): every branch,
 * boundary and refusal message, so a changed rule fails a row (the mutation run checks this).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  checkHost,
  checkOrigin,
  checkPeer,
  checkToken,
  chromeExtensionId,
  isCanonicalIPv4,
  isLoopbackAddress,
  isStrongToken,
  parseHostHeader,
  presentedToken,
} from '../../server-agent/agent/guard.js';
import { TOKEN_PROTOCOL_PREFIX } from '../../server-agent/agent/protocol.js';

describe('AG-2 loopback peers', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.255.3.4', true],
    ['::1', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:10.0.0.1', false],
    ['10.0.0.1', false],
    ['128.0.0.1', false],
    ['1127.0.0.1', false],
    ['::2', false],
    ['', false],
    [undefined, false],
  ])('%s → %s', (address, loopback) => {
    expect(isLoopbackAddress(address)).toBe(loopback);
    const verdict = checkPeer(address);
    expect(verdict.ok).toBe(loopback);
    if (!verdict.ok) {
      expect(verdict.code).toBe('peer');
      expect(verdict.message).toBe(
        `Connections are accepted from this machine only (loopback); ${String(address)} is not loopback.`,
      );
    }
  });
});

describe('AG-3 canonical IPv4', () => {
  it.each([
    ['0.0.0.0', true],
    ['9.99.199.255', true],
    ['249.250.251.252', true],
    ['127.0.0.1', true],
    ['256.0.0.1', false],
    ['01.2.3.4', false],
    ['1.2.3', false],
    ['1.2.3.4.5', false],
    ['1.2.3.4 ', false],
    [' 1.2.3.4', false],
    ['a.2.3.4', false],
    ['300.1.1.1', false],
    ['255.255.255.255', true],
    ['1.249.0.0', true],
    ['1.240.0.0', true],
    ['1.2.3.250', true],
  ])('%s → %s', (text, canonical) => {
    expect(isCanonicalIPv4(text)).toBe(canonical);
  });
});

describe('AG-3 Host header parsing', () => {
  it.each([
    ['localhost', 'localhost'],
    ['LocalHost:3000', 'localhost'],
    ['localhost:65535', 'localhost'],
    ['localhost:0', 'localhost'],
    ['[::1]', '[::1]'],
    ['[::1]:8080', '[::1]'],
    ['[::1]x', null],
    ['[::1]x80', null],
    ['localhost:80:90', null],
    ['localhost:0x50', null],
    ['localhost:8e2', null],
    ['[::1', null],
    ['[::1]:', null],
    ['localhost:65536', null],
    ['localhost:123456', null],
    ['localhost:', null],
    ['localhost:x', null],
    ['a:b:c', null],
    ['', null],
    [undefined, null],
    ['local host', null],
    ['x'.repeat(300), 'x'.repeat(300)],
    ['x'.repeat(301), null],
  ])('%s → %s', (header, host) => {
    expect(parseHostHeader(header)).toBe(host);
  });
});

describe('AG-3 Host allowlist', () => {
  it.each([
    ['localhost:3000', true],
    ['app.localhost', true],
    ['a.b.localhost:1', true],
    ['127.0.0.1:9', true],
    ['10.1.2.3', true],
    ['[::1]:3000', true],
    ['[2001:db8::1]', true],
    ['localhost.', false],
    ['notlocalhost', false],
    ['localhost.example', false],
    ['evil.example', false],
    ['-bad.localhost', false],
    ['bad-.localhost', false],
    ['a..localhost', false],
    [`${'a'.repeat(64)}.localhost`, false],
    [`${'a'.repeat(63)}.localhost`, true],
    ['a-b.localhost', true],
    ['x.localhost', true],
    ['1.localhost', true],
  ])('%s → %s', (header, ok) => {
    expect(checkHost(header).ok).toBe(ok);
  });

  it('refusals name the reason and quote the header (bounded to 80 characters)', () => {
    expect(checkHost('a:b:c')).toEqual({
      ok: false,
      code: 'host',
      message: 'Malformed Host header "a:b:c".',
    });
    expect(checkHost(undefined)).toEqual({
      ok: false,
      code: 'host',
      message: 'Malformed Host header "undefined".',
    });
    expect(checkHost('[zz]:1')).toEqual({
      ok: false,
      code: 'host',
      message: 'Host "[zz]:1" is not a valid IPv6 literal.',
    });
    expect(checkHost('127.1')).toEqual({
      ok: false,
      code: 'host',
      message: 'Host "127.1" is not a canonical IPv4 address (write it as four decimal octets).',
    });
    expect(checkHost('2130706433:80')).toMatchObject({
      ok: false,
      message: expect.stringContaining('canonical'),
    });
    expect(checkHost('a_b.localhost')).toMatchObject({ ok: false });
    expect(checkHost('-x.localhost')).toEqual({
      ok: false,
      code: 'host',
      message: 'Host "-x.localhost" is not a valid host name.',
    });
    expect(checkHost('evil.example:1')).toEqual({
      ok: false,
      code: 'host',
      message:
        'Host "evil.example:1" is not allowed (DNS rebinding guard). Open the inspector through localhost or 127.0.0.1, or add the name to allowedHosts.',
    });
    // Names ending or starting in digits are names, not malformed IPv4 addresses.
    expect(checkHost('app.1')).toMatchObject({
      ok: false,
      message: expect.stringContaining('DNS rebinding'),
    });
    expect(checkHost('1.app')).toMatchObject({
      ok: false,
      message: expect.stringContaining('DNS rebinding'),
    });
    const long = `${'a'.repeat(100)}.example`;
    expect(checkHost(long)).toMatchObject({ message: expect.stringContaining(`"${'a'.repeat(80)}"`) });
  });

  it('extra hosts are matched exactly and case-insensitively', () => {
    expect(checkHost('dev.example:3000', ['Dev.Example']).ok).toBe(true);
    expect(checkHost('dev.example', ['other.example', 'dev.example']).ok).toBe(true);
    expect(checkHost('sub.dev.example', ['dev.example']).ok).toBe(false);
    expect(checkHost('dev.example').ok).toBe(false);
  });
});

describe('AG-4 Origin allowlist', () => {
  const policy = {
    extensionOrigins: ['chrome-extension://abcdefghijklmnopabcdefghijklmnop'],
    allowMozExtension: false,
  };
  const uuid = '0123abcd-4567-89ef-0123-456789abcdef';

  it.each([
    [undefined, 'localhost:3000', true],
    ['http://localhost:3000', 'localhost:3000', true],
    ['https://localhost:3000', 'localhost:3000', true],
    ['http://localhost:3001', 'localhost:3000', false],
    ['http://localhost:3000', undefined, false],
    ['http://undefined', undefined, false],
    ['ws://localhost:3000', 'localhost:3000', false],
    ['chrome-extension://abcdefghijklmnopabcdefghijklmnop', 'localhost:3000', true],
    ['chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba', 'localhost:3000', false],
    ['null', 'localhost:3000', false],
    [`moz-extension://${uuid}`, 'localhost:3000', false],
  ])('%s with Host %s → %s', (origin, host, ok) => {
    expect(checkOrigin(origin, host, policy).ok).toBe(ok);
  });

  it('Firefox UUID origins only when allowed, and only exact UUID-shaped ones', () => {
    const moz = { ...policy, allowMozExtension: true };
    expect(checkOrigin(`moz-extension://${uuid}`, 'localhost', moz).ok).toBe(true);
    expect(checkOrigin(`moz-extension://${uuid}x`, 'localhost', moz).ok).toBe(false);
    expect(checkOrigin(`xmoz-extension://${uuid}`, 'localhost', moz).ok).toBe(false);
    expect(checkOrigin(`moz-extension://${uuid.toUpperCase()}`, 'localhost', moz).ok).toBe(false);
    expect(checkOrigin(`moz-extension://${uuid.slice(1)}`, 'localhost', moz).ok).toBe(false);
  });

  it('a refusal names the origin (bounded) and who may connect', () => {
    expect(checkOrigin('https://attacker.example', 'localhost', policy)).toEqual({
      ok: false,
      code: 'origin',
      message:
        'Origin "https://attacker.example" is not allowed. Only the inspector page served by this agent and the pinned sessionscope extension may connect.',
    });
    const long = `https://${'a'.repeat(200)}`;
    const verdict = checkOrigin(long, 'localhost', policy);
    expect(!verdict.ok && verdict.message).toContain(`"${long.slice(0, 120)}"`);
  });
});

describe('AG-4 extension id', () => {
  it("is Chrome's id for the manifest key, written down (see the agent suite's AG-4)", () => {
    const manifest = JSON.parse(readFileSync(new URL('../../manifest.json', import.meta.url), 'utf8')) as {
      key: string;
    };
    expect(chromeExtensionId(manifest.key)).toBe('bbbecghifmkhegpglelinmnokfgalggg');
  });
});

describe('AG-5 token', () => {
  const token = 'A'.repeat(43);

  it.each([
    [`/?token=${token}`, undefined, token],
    ['/path?a=1&token=xyz', undefined, 'xyz'],
    ['/path?a=1', undefined, null],
    ['/path', undefined, null],
    [undefined, undefined, null],
    [undefined, `sessionscope.v1, ${TOKEN_PROTOCOL_PREFIX}${token}`, token],
    [undefined, `${TOKEN_PROTOCOL_PREFIX}${token}`, token],
    [undefined, `  ${TOKEN_PROTOCOL_PREFIX}abc  ,x`, 'abc'],
    [undefined, 'sessionscope.v1', null],
    ['/?token=fromquery', `${TOKEN_PROTOCOL_PREFIX}fromprotocol`, 'fromprotocol'],
    ['/?token=fromquery', 'sessionscope.v1', 'fromquery'],
    ['?token=first', undefined, 'first'],
    ['/token=abc', undefined, null],
  ])('url %s, protocol %s → %s', (url, protocol, expected) => {
    expect(presentedToken(url, protocol)).toBe(expected);
  });

  it('checks length first, then every byte; refusals say where the token comes from', () => {
    expect(checkToken(token, token)).toEqual({ ok: true });
    expect(checkToken(`${token.slice(1)}B`, token).ok).toBe(false);
    expect(checkToken(token.slice(1), token)).toEqual({
      ok: false,
      code: 'token',
      message:
        'Wrong token: copy it again from the agent’s startup line (it changed: a restart outside development, or `sessionscope token rotate`).',
    });
    expect(checkToken(null, token)).toEqual({
      ok: false,
      code: 'token',
      message:
        'No token: pass the token from the agent’s startup line (?token= or the sessionscope.token.<token> subprotocol).',
    });
    // Same UTF-16 length, different byte length: refused without throwing.
    expect(checkToken('é'.repeat(43), token).ok).toBe(false);
  });

  it.each([
    ['a'.repeat(22), true],
    ['a'.repeat(21), false],
    ['a'.repeat(256), true],
    ['a'.repeat(257), false],
    [`${'a'.repeat(21)}-_`, true],
    [`${'a'.repeat(22)}=`, false],
    [`${'a'.repeat(22)}+`, false],
    [`x${'a'.repeat(22)}\n`, false],
  ])('isStrongToken(%s) → %s', (candidate, strong) => {
    expect(isStrongToken(candidate)).toBe(strong);
  });
});
