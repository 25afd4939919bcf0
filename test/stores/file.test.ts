import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ImproperlyConfigured,
  InvalidSessionKey,
  StoreUnavailable,
} from '../../server-agent/sessions/errors.js';
import { createSessionManager } from '../../server-agent/sessions/manager.js';
import { describeStore } from '../conformance/describe-store.js';

const SECRET_KEY = 'file-store-secret-key';
const root = mkdtempSync(join(tmpdir(), 'sessionscope-file-'));
let n = 0;
const freshDir = () => {
  const dir = join(root, `d${++n}`);
  mkdirSync(dir);
  return dir;
};
const make = (dir = freshDir()) =>
  createSessionManager({ SECRET_KEY, SESSION_ENGINE: 'file', SESSION_FILE_PATH: dir });
afterAll(() => rmSync(root, { recursive: true, force: true }));

describeStore('file', {
  make: () => make(),
  rawExists: async (manager, key) =>
    existsSync(join(String(manager.settings.sessionFilePath), `sessionid${key}`)),
});

describe('file store specifics', () => {
  it('names files as Django does, <cookie name><key>, holding the encode() string', async () => {
    const dir = freshDir();
    const sessions = createSessionManager({
      SECRET_KEY,
      SESSION_ENGINE: 'file',
      SESSION_FILE_PATH: dir,
      SESSION_COOKIE_NAME: 'sid',
    });
    const s = sessions.open();
    await s.set('a', 1);
    await s.save();
    expect(readdirSync(dir)).toEqual([`sid${s.sessionKey}`]);
    expect(sessions.codec.decode(readFileSync(join(dir, `sid${s.sessionKey}`), 'ascii'))).toEqual(
      new Map([['a', 1]]),
    );
  });

  it('refuses a storage path that is not a folder, naming it and the setting', () => {
    expect(() => make(join(root, 'missing'))).toThrow(ImproperlyConfigured);
    expect(() => make(join(root, 'missing'))).toThrow(/SESSION_FILE_PATH/);
  });

  it.each([
    ['traversal', '../../etc/passwd'],
    ['slash', 'abc/defghij'],
    ['backslash', 'abc\\defghij'],
    ['dots', '..........'],
    ['NUL', 'abcdefgh\0ij'],
    ['upper case', 'ABCDEFGHIJ'],
    ['a dot', 'abcd.efghij'],
    ['10 kB', 'a'.repeat(10_000)],
  ])('never touches the filesystem for a key with %s', async (_label, key) => {
    const dir = freshDir();
    const sessions = make(dir);
    const s = sessions.open(key);
    expect(await s.get('x')).toBeUndefined();
    expect(await s.exists(key)).toBe(false);
    await s.delete(key);
    await expect(
      sessions.store.save(key, { data: new Map(), expireDate: new Date(), ageSeconds: 1 }, true),
    ).rejects.toBeInstanceOf(InvalidSessionKey);
    await expect(sessions.store.load(key)).rejects.toBeInstanceOf(InvalidSessionKey);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("fixes Django's quirk: set_expiry(positive seconds) expires, counted from the last save", async () => {
    const sessions = make();
    const s = sessions.open();
    await s.set('a', 1);
    await s.setExpiry(60);
    await s.save();
    sessions.clock.travel(59);
    expect(await sessions.open(s.sessionKey).get('a')).toBe(1);
    sessions.clock.travel(2);
    const late = sessions.open(s.sessionKey);
    expect(await late.get('a')).toBeUndefined();
    expect(late.sessionKey).toBeNull();
  });

  it('takes the expiry from the mtime when there is no _session_expiry, and a read never writes', async () => {
    const dir = freshDir();
    const sessions = make(dir);
    const s = sessions.open();
    await s.set('a', 1);
    await s.save();
    const path = join(dir, `sessionid${s.sessionKey}`);
    const old = new Date(Date.now() - (sessions.settings.sessionCookieAge + 10) * 1000);
    utimesSync(path, old, old);
    const before = readdirSync(dir);
    expect(await sessions.open(s.sessionKey).get('a')).toBeUndefined();
    expect(readdirSync(dir)).toEqual(before); // Django would have created a new empty file here
    expect(await sessions.clearExpired()).toBe(1);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('corrupt files load as an empty session', async () => {
    const dir = freshDir();
    const sessions = make(dir);
    writeFileSync(join(dir, 'sessionidabcdefgh12345678'), 'garbage:with:colons');
    const s = sessions.open('abcdefgh12345678');
    expect(await s.items()).toEqual([]);
    expect(s.sessionKey).toBeNull();
  });

  it('clearExpired removes crash leftovers (temp files over an hour old) but not fresh ones', async () => {
    const dir = freshDir();
    const sessions = make(dir);
    const old = join(dir, 'sessionidabcdefgh12345678_out_0123456789ab');
    const fresh = join(dir, 'sessionidabcdefgh12345678_out_ba9876543210');
    writeFileSync(old, 'x');
    writeFileSync(fresh, 'x');
    const hourAgo = new Date(Date.now() - 2 * 3600_000);
    utimesSync(old, hourAgo, hourAgo);
    await sessions.clearExpired();
    expect(readdirSync(dir)).toEqual(['sessionidabcdefgh12345678_out_ba9876543210']);
  });

  it('leaves no temp files behind after many concurrent saves', async () => {
    const dir = freshDir();
    const sessions = make(dir);
    const s = sessions.open();
    await s.save();
    await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const copy = sessions.open(s.sessionKey);
        await copy.set('i', i);
        await copy.save();
      }),
    );
    expect(readdirSync(dir)).toEqual([`sessionid${s.sessionKey}`]);
    expect(typeof (await sessions.open(s.sessionKey).get('i'))).toBe('number');
  });
});

/**
 * Disk-full and read-only folders. As root, permissions do not stop writes, so a tiny tmpfs is
 * mounted (size 64 KiB for ENOSPC, read-only for EROFS); otherwise a mode-0555 folder is used.
 */
const isRoot = process.getuid?.() === 0;
function mountTmpfs(options: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sessionscope-mnt-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  return dir;
}
const unmount = (dir: string) => {
  execFileSync('umount', [dir]);
  rmSync(dir, { recursive: true, force: true });
};

describe('write failures', () => {
  it.skipIf(!isRoot)(
    'a full disk: a clear StoreUnavailable, and no partial or temp file (needs root to mount a tiny tmpfs)',
    async () => {
      const dir = mountTmpfs('size=64k');
      try {
        const sessions = make(dir);
        const s = sessions.open();
        await s.set('small', 1);
        await s.save();
        const big = sessions.open(s.sessionKey);
        // Random text does not compress, so the file really is ~200 kB.
        await big.set('blob', Array.from({ length: 40_000 }, () => Math.random().toString(36)).join(''));
        const error = await big.save().then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(StoreUnavailable);
        expect((error as Error).message).toMatch(/disk is full.*ENOSPC.*SESSION_FILE_PATH/);
        expect(readdirSync(dir)).toEqual([`sessionid${s.sessionKey}`]);
        expect(await sessions.open(s.sessionKey).get('small')).toBe(1);
        const fresh = sessions.open();
        await fresh.set('blob', Array.from({ length: 40_000 }, () => Math.random().toString(36)).join(''));
        await expect(fresh.save()).rejects.toBeInstanceOf(StoreUnavailable);
        expect(readdirSync(dir)).toEqual([`sessionid${s.sessionKey}`]);
      } finally {
        unmount(dir);
      }
    },
  );

  it('a read-only folder: a clear StoreUnavailable naming the folder, nothing written', async () => {
    const dir = isRoot ? mountTmpfs('ro,size=64k') : freshDir();
    if (!isRoot) chmodSync(dir, 0o555);
    try {
      const sessions = make(dir);
      const s = sessions.open();
      await s.set('a', 1);
      const error = await s.save().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StoreUnavailable);
      expect((error as Error).message).toContain(dir);
      expect((error as Error).message).toMatch(/read-only or not writable/);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      if (isRoot) unmount(dir);
      else chmodSync(dir, 0o755);
    }
  });
});
