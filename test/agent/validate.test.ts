/**
 * AG-6 schema validation, field by field: each frame becomes exactly the typed message, or a nack
 * whose code, message and id name the problem. Complements the random frames of the fuzz suites.
 */
import { describe, expect, it } from 'vitest';
import { COMMAND_OPS } from '../../server-agent/agent/protocol.js';
import { parseClientFrame } from '../../server-agent/agent/validate.js';

const frame = (value: unknown) => parseClientFrame(JSON.stringify(value));
const command = (op: string, body: Record<string, unknown> = {}) =>
  frame({ v: 1, type: 'command', id: 7, op, ...body });
const S = 'abcDEF123_-';
const problem = (message: string, id: number | null = 7) => ({ ok: false, code: 'bad_request', message, id });

describe('AG-6 frames', () => {
  it('refuses what is not a v1 JSON object, keeping a valid id for the nack', () => {
    expect(parseClientFrame('{')).toEqual(problem('The frame is not valid JSON.', null));
    for (const value of [null, [], 'x', 3])
      expect(frame(value)).toEqual(problem('A frame must be a JSON object.', null));
    expect(frame({ v: 2, id: 5 })).toEqual(problem('Every frame needs "v": 1.', 5));
    expect(frame({ v: '1', id: -1 })).toEqual(problem('Every frame needs "v": 1.', null));
    expect(frame({ v: 1, id: 1.5 })).toMatchObject({ id: null });
    expect(frame({ v: 1, id: 2 ** 53 })).toMatchObject({ id: null });
    expect(frame({ v: 1, id: 0, type: 'nope' })).toEqual(problem('Unknown frame type "nope".', 0));
    expect(frame({ v: 1, type: { toString: null } })).toEqual(
      problem('Unknown frame type "{\\"toString\\":null}".', null),
    );
    expect(frame({ v: 1, type: 'x'.repeat(100) })).toEqual(
      problem(`Unknown frame type "${'x'.repeat(40)}".`, null),
    );
    expect(frame({ v: 1 })).toEqual(problem('Unknown frame type "undefined".', null));
  });

  it('hello: protocol range, a known client, a bounded version string', () => {
    const hello = { v: 1, type: 'hello', client: 'test', protocol: { min: 1, max: 2 } };
    expect(frame({ ...hello, clientVersion: 'v'.repeat(50), extra: 1 })).toStrictEqual({
      ok: true,
      message: {
        v: 1,
        type: 'hello',
        client: 'test',
        clientVersion: 'v'.repeat(40),
        protocol: { min: 1, max: 2 },
      },
    });
    for (const client of ['extension', 'inspector', 'cli', 'test'])
      expect(frame({ ...hello, client })).toMatchObject({ ok: true, message: { client, clientVersion: '' } });
    const badProtocol = problem('"protocol" must be { min, max } version numbers.', null);
    expect(frame({ ...hello, protocol: undefined })).toEqual(badProtocol);
    expect(frame({ ...hello, protocol: { min: 1 } })).toEqual(badProtocol);
    expect(frame({ ...hello, protocol: { min: -1, max: 1 } })).toEqual(badProtocol);
    expect(frame({ ...hello, protocol: [1, 2] })).toEqual(badProtocol);
    expect(frame({ ...hello, client: 'browser' })).toEqual(
      problem('"client" must be extension, inspector, cli or test.', null),
    );
    expect(frame({ ...hello, clientVersion: 3 })).toMatchObject({ ok: true, message: { clientVersion: '' } });
  });

  it('subscribe with a watch list, and watch on its own', () => {
    const watch = { all: false, sessions: [S, 'b'.repeat(64)] };
    expect(frame({ v: 1, type: 'subscribe', watch })).toStrictEqual({
      ok: true,
      message: { v: 1, type: 'subscribe', watch },
    });
    expect(frame({ v: 1, type: 'watch', watch: { all: true, sessions: [] } })).toStrictEqual({
      ok: true,
      message: { v: 1, type: 'watch', watch: { all: true, sessions: [] } },
    });
    const shape = problem('"watch" must be { all: boolean, sessions: handle[] }.', null);
    for (const bad of [
      undefined,
      null,
      [],
      { all: 1, sessions: [] },
      { all: true },
      { all: true, sessions: 'x' },
    ])
      expect(frame({ v: 1, type: 'watch', watch: bad })).toEqual(shape);
    expect(frame({ v: 1, type: 'subscribe', watch: { all: 'yes', sessions: [] } })).toEqual(shape);
    const sixtyFour = Array.from({ length: 64 }, (_, i) => `h${i}`);
    expect(frame({ v: 1, type: 'watch', watch: { all: false, sessions: sixtyFour } })).toMatchObject({
      ok: true,
    });
    expect(frame({ v: 1, type: 'watch', watch: { all: false, sessions: [...sixtyFour, 'h64'] } })).toEqual(
      problem('"watch.sessions" may name at most 64 sessions.', null),
    );
    const handles = problem('"watch.sessions" must hold session handles from events or listSessions.', null);
    for (const item of [3, '', 'a'.repeat(65), 'a b', 'a/b', '/ab', 'ab/'])
      expect(frame({ v: 1, type: 'watch', watch: { all: false, sessions: [item] } })).toEqual(handles);
  });

  it('subscribe and unsubscribe', () => {
    expect(frame({ v: 1, type: 'subscribe' })).toStrictEqual({
      ok: true,
      message: { v: 1, type: 'subscribe' },
    });
    expect(frame({ v: 1, type: 'subscribe', sinceSeq: 0 })).toStrictEqual({
      ok: true,
      message: { v: 1, type: 'subscribe', sinceSeq: 0 },
    });
    expect(frame({ v: 1, type: 'subscribe', sinceSeq: -1 })).toEqual(
      problem('"sinceSeq" must be a non-negative integer.', null),
    );
    expect(frame({ v: 1, type: 'unsubscribe', x: 1 })).toStrictEqual({
      ok: true,
      message: { v: 1, type: 'unsubscribe' },
    });
  });

  it('commands need a numeric id and a known op', () => {
    expect(frame({ v: 1, type: 'command', op: 'clearExpired' })).toEqual(
      problem('A command needs a numeric "id".', null),
    );
    expect(command('drop')).toEqual({
      ok: false,
      code: 'unknown_op',
      message: `Unknown op "drop"; known ops: ${COMMAND_OPS.join(', ')}.`,
      id: 7,
    });
    expect(command('toString')).toMatchObject({ code: 'unknown_op' });
  });
});

describe('AG-6 command bodies', () => {
  const base = { v: 1, type: 'command', id: 7 };

  it('listSessions', () => {
    expect(command('listSessions')).toStrictEqual({
      ok: true,
      message: {
        ...base,
        op: 'listSessions',
        cursor: undefined,
        limit: undefined,
        query: undefined,
        field: undefined,
        includeExpired: undefined,
      },
    });
    expect(
      command('listSessions', { cursor: null, limit: 1, query: 'q', field: 'key', includeExpired: false }),
    ).toStrictEqual({
      ok: true,
      message: {
        ...base,
        op: 'listSessions',
        cursor: null,
        limit: 1,
        query: 'q',
        field: 'key',
        includeExpired: false,
      },
    });
    expect(command('listSessions', { cursor: 'c1' })).toMatchObject({ message: { cursor: 'c1' } });
    for (const field of ['handle', 'key', 'value', 'any'])
      expect(command('listSessions', { field })).toMatchObject({ ok: true, message: { field } });
    for (const limit of [0, -1, 1.5, '5', null])
      expect(command('listSessions', { limit })).toEqual(problem('"limit" must be a positive integer.'));
    expect(command('listSessions', { field: 'data' })).toEqual(
      problem('"field" must be one of handle, key, value, any.'),
    );
    expect(command('listSessions', { includeExpired: 'yes' })).toEqual(
      problem('"includeExpired" must be true or false.'),
    );
    expect(command('listSessions', { cursor: 5 })).toEqual(
      problem('"cursor" must be a string (at most 4096 characters).'),
    );
    expect(command('listSessions', { query: 'q'.repeat(4096) })).toMatchObject({ ok: true });
    expect(command('listSessions', { query: 'q'.repeat(4097) })).toEqual(
      problem('"query" must be a string (at most 4096 characters).'),
    );
  });

  it('session handles', () => {
    expect(command('getSession', { session: S })).toStrictEqual({
      ok: true,
      message: { ...base, op: 'getSession', session: S },
    });
    expect(command('getSession', { session: 'a'.repeat(64) })).toMatchObject({ ok: true });
    const bad = problem('"session" must be a session handle from listSessions or an event.');
    for (const session of ['', 'a'.repeat(65), 'a b', 'a/b', 'x\n'])
      expect(command('getSession', { session })).toEqual(bad);
    expect(command('getSession')).toEqual(problem('"session" must be a string (at most 4096 characters).'));
  });

  it('getValue paths', () => {
    expect(command('getValue', { session: S, path: ['cart', 0, 'sku'] })).toStrictEqual({
      ok: true,
      message: { ...base, op: 'getValue', session: S, path: ['cart', 0, 'sku'] },
    });
    expect(command('getValue', { session: S, path: Array(64).fill('k') })).toMatchObject({ ok: true });
    const shape = problem(
      '"path" must be a non-empty array starting with the session key, then object keys or array indexes.',
    );
    for (const path of [undefined, [], 'cart', [0], Array(65).fill('k')])
      expect(command('getValue', { session: S, path })).toEqual(shape);
    for (const path of [
      ['cart', -1],
      ['cart', 1.5],
      ['cart', null],
    ])
      expect(command('getValue', { session: S, path })).toEqual(
        problem('"path" steps must be strings or non-negative integers.'),
      );
  });

  it('set: JSON values only, key required, optional revision', () => {
    expect(command('set', { session: S, key: 'k', value: { a: [1, 'x', null, true] } })).toStrictEqual({
      ok: true,
      message: { ...base, op: 'set', session: S, key: 'k', value: { a: [1, 'x', null, true] } },
    });
    expect(command('set', { session: S, key: 'k', value: null, expectedRevision: 'r1' })).toStrictEqual({
      ok: true,
      message: { ...base, op: 'set', session: S, key: 'k', value: null, expectedRevision: 'r1' },
    });
    const notJson = problem('"value" must be JSON (null, boolean, finite number, string, array or object).');
    expect(command('set', { session: S, key: 'k' })).toEqual(notJson);
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(command('set', { session: S, key: 'k', value: deep })).toMatchObject({ ok: true });
    deep = [deep];
    expect(command('set', { session: S, key: 'k', value: deep })).toEqual(notJson);
    // One bad element is enough, in arrays and objects alike.
    expect(command('set', { session: S, key: 'k', value: [1, deep] })).toEqual(notJson);
    expect(command('set', { session: S, key: 'k', value: { a: 1, b: deep } })).toEqual(notJson);
    let deepObject: unknown = 1;
    for (let i = 0; i < 101; i++) deepObject = { a: deepObject };
    expect(command('set', { session: S, key: 'k', value: deepObject })).toEqual(notJson);
    expect(command('set', { session: S, value: 1 })).toEqual(
      problem('"key" must be a string (at most 4096 characters).'),
    );
    expect(command('set', { session: S, key: 'k', value: 1, expectedRevision: 3 })).toEqual(
      problem('"expectedRevision" must be a string (at most 4096 characters).'),
    );
    // Non-finite numbers cannot arrive through JSON.parse; parseClientFrame only ever sees parsed text.
    expect(
      parseClientFrame(
        '{"v":1,"type":"command","id":7,"op":"set","session":"abcdefgh","key":"k","value":1e999}',
      ),
    ).toEqual(notJson);
  });

  it('pop, flush, expireNow, cycleKey', () => {
    expect(command('pop', { session: S, key: 'k', expectedRevision: 'r' })).toStrictEqual({
      ok: true,
      message: { ...base, op: 'pop', session: S, key: 'k', expectedRevision: 'r' },
    });
    expect(command('pop', { session: S })).toEqual(
      problem('"key" must be a string (at most 4096 characters).'),
    );
    for (const op of ['flush', 'expireNow'])
      expect(command(op, { session: S })).toStrictEqual({ ok: true, message: { ...base, op, session: S } });
    expect(command('cycleKey', { session: S })).toStrictEqual({
      ok: true,
      message: { ...base, op: 'cycleKey', session: S },
    });
    expect(command('cycleKey', { session: S, browserKey: 'b', expectedRevision: 'r' })).toStrictEqual({
      ok: true,
      message: { ...base, op: 'cycleKey', session: S, browserKey: 'b', expectedRevision: 'r' },
    });
  });

  it('setExpiry', () => {
    const ok = (expiry: unknown) => ({ ok: true, message: { ...base, op: 'setExpiry', session: S, expiry } });
    expect(command('setExpiry', { session: S, expiry: null })).toStrictEqual(ok(null));
    expect(command('setExpiry', { session: S, expiry: 0 })).toEqual(ok(0));
    expect(command('setExpiry', { session: S, expiry: '2030-01-01T00:00:00Z' })).toEqual(
      ok('2030-01-01T00:00:00Z'),
    );
    expect(command('setExpiry', { session: S, expiry: 'x'.repeat(64) })).toEqual(ok('x'.repeat(64)));
    expect(command('setExpiry', { session: S, expiry: { seconds: 5, extra: 1 } })).toEqual(
      ok({ seconds: 5 }),
    );
    expect(command('setExpiry', { session: S })).toEqual(
      problem('"expiry" is required (use null for the global policy).'),
    );
    const bad = problem(
      '"expiry" must be seconds (number; 0 = browser close), an ISO date string, { seconds } or null.',
    );
    for (const expiry of ['x'.repeat(65), true, [], { seconds: '5' }, {}])
      expect(command('setExpiry', { session: S, expiry })).toEqual(bad);
    // 1e999 is valid JSON and parses to Infinity: not a number of seconds.
    const raw = (expiry: string) =>
      parseClientFrame(
        `{"v":1,"type":"command","id":7,"op":"setExpiry","session":"${S}","expiry":${expiry}}`,
      );
    expect(raw('1e999')).toEqual(bad);
    expect(raw('{"seconds":-1e999}')).toEqual(bad);
  });

  it('clearExpired, clockReset, clockTravel', () => {
    expect(command('clearExpired', { x: 1 })).toStrictEqual({
      ok: true,
      message: { ...base, op: 'clearExpired' },
    });
    expect(command('clockReset', { x: 1 })).toStrictEqual({
      ok: true,
      message: { ...base, op: 'clockReset' },
    });
    expect(command('clockTravel', { seconds: 60 })).toStrictEqual({
      ok: true,
      message: { ...base, op: 'clockTravel', seconds: 60 },
    });
    expect(command('clockTravel', { to: '2030-01-01T00:00:00Z' })).toStrictEqual({
      ok: true,
      message: { ...base, op: 'clockTravel', to: '2030-01-01T00:00:00Z' },
    });
    const exactlyOne = problem(
      'clockTravel takes exactly one of "seconds" (a number) or "to" (an ISO date).',
    );
    expect(command('clockTravel')).toEqual(exactlyOne);
    expect(command('clockTravel', { seconds: 1, to: 'x' })).toEqual(exactlyOne);
    expect(command('clockTravel', { seconds: '60' })).toEqual(problem('"seconds" must be a finite number.'));
    expect(parseClientFrame('{"v":1,"type":"command","id":7,"op":"clockTravel","seconds":1e999}')).toEqual(
      problem('"seconds" must be a finite number.'),
    );
  });
});
