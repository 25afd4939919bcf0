/**
 * The persisted development token (token-file.ts) on a real file system: created 0600 in a 0700
 * directory with its own .gitignore, reused, rotated, and refused with the fix when unsafe.
 */
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isStrongToken } from '../../server-agent/agent/guard.js';
import {
  announcement,
  loadOrCreateToken,
  persistsToken,
  readTokenFile,
  rotateToken,
  tokenFilePath,
} from '../../server-agent/agent/token-file.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sessionscope-token-'));
  file = tokenFilePath(dir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const mode = (path: string): number => statSync(path).mode & 0o777;

describe.skipIf(process.platform === 'win32')('token file', () => {
  it('TK-1 is created once, 0600 in a 0700 .sessionscope/ that ignores itself in git', () => {
    const first = loadOrCreateToken(file);
    expect(first.created).toBe(true);
    expect(isStrongToken(first.token)).toBe(true);
    expect(first.token).toHaveLength(43);
    expect(file).toBe(join(dir, '.sessionscope', 'agent-token'));
    expect(mode(file)).toBe(0o600);
    expect(mode(join(dir, '.sessionscope'))).toBe(0o700);
    expect(readFileSync(join(dir, '.sessionscope', '.gitignore'), 'utf8')).toMatch(/^\*$/m);
    expect(readFileSync(file, 'utf8')).toBe(`${first.token}\n`);
    const again = loadOrCreateToken(file);
    expect(again).toEqual({ token: first.token, created: false });
  });

  it('TK-2 keeps 0600 under a permissive umask', () => {
    const previous = process.umask(0);
    try {
      loadOrCreateToken(file);
    } finally {
      process.umask(previous);
    }
    expect(mode(file)).toBe(0o600);
  });

  it('TK-3 rotate replaces the token, and repairs a file with bad permissions', () => {
    const { token } = loadOrCreateToken(file);
    chmodSync(file, 0o644);
    const rotated = rotateToken(file);
    expect(rotated).not.toBe(token);
    expect(mode(file)).toBe(0o600);
    expect(readTokenFile(file)).toBe(rotated);
  });

  it.each([0o644, 0o640, 0o604, 0o660, 0o666])(
    'TK-4 refuses mode 0%o with chmod 600 and the rotate command',
    (bits) => {
      loadOrCreateToken(file);
      chmodSync(file, bits);
      expect(() => readTokenFile(file)).toThrow(
        /can be read by other users .*must be 0600.*chmod 600 .*sessionscope token rotate/,
      );
      expect(() => loadOrCreateToken(file)).toThrow(
        expect.objectContaining({ code: 'SESSION_AGENT_REFUSED' }),
      );
    },
  );

  it.each([
    ['empty', ''],
    ['too short', 'abc\n'],
    ['two lines', `${'a'.repeat(43)}\n${'b'.repeat(43)}\n`],
    ['not base64url', `${'a'.repeat(40)}+/=\n`],
    ['leading space', ` ${'a'.repeat(43)}\n`],
  ])('TK-5 refuses malformed content (%s), naming the rotate command', (_name, content) => {
    mkdirSync(join(dir, '.sessionscope'), { mode: 0o700 });
    writeFileSync(file, content, { mode: 0o600 });
    expect(() => readTokenFile(file)).toThrow(/does not hold a token.*npx sessionscope token rotate/);
  });

  it('TK-6 refuses a symbolic link (someone else’s file) and a directory', () => {
    mkdirSync(join(dir, '.sessionscope'), { mode: 0o700 });
    const elsewhere = join(dir, 'other');
    writeFileSync(elsewhere, `${'a'.repeat(43)}\n`, { mode: 0o600 });
    symlinkSync(elsewhere, file);
    expect(() => readTokenFile(file)).toThrow(/not a regular file \(it is a symbolic link\)/);
    rmSync(file);
    mkdirSync(file);
    expect(() => readTokenFile(file)).toThrow(/not a regular file/);
  });

  it('TK-7 a missing file reads as none; an unreadable one is refused with the fix', () => {
    expect(readTokenFile(file)).toBeNull();
    mkdirSync(join(dir, '.sessionscope'), { mode: 0o700 });
    writeFileSync(file, `${'a'.repeat(43)}\n`, { mode: 0o600 });
    chmodSync(join(dir, '.sessionscope'), 0o000);
    try {
      // root reads through any mode: then there is nothing to refuse.
      if (process.getuid?.() !== 0)
        expect(() => readTokenFile(file)).toThrow(/Cannot read the agent token file/);
    } finally {
      chmodSync(join(dir, '.sessionscope'), 0o700);
    }
  });
});

describe('when the token is persisted', () => {
  it.each([
    [undefined, true],
    ['', true],
    ['development', true],
    [' Development ', true],
    ['test', false],
    ['production', false],
    ['staging', false],
  ])('TK-8 NODE_ENV=%j → %s', (value, expected) => {
    expect(persistsToken(value === undefined ? {} : { NODE_ENV: value })).toBe(expected);
  });

  it('TK-9 the start-up line says where the token lives only when it is kept', () => {
    expect(announcement('http://localhost:1/__sessionscope/#token=x', null)).toBe(
      'sessionscope inspector: http://localhost:1/__sessionscope/#token=x',
    );
    expect(
      announcement(
        'http://localhost:1/__sessionscope/#token=x',
        join(process.cwd(), '.sessionscope', 'agent-token'),
      ),
    ).toMatch(
      /^sessionscope inspector: \S+ \(token kept in \.sessionscope\/agent-token across restarts; `npx sessionscope token rotate` replaces it\)$/,
    );
  });
});
