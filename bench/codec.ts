/**
 * Issue 13 item 1: the Django codec (SessionBase.encode/decode) against its parts, for a session
 * whose JSON is 288 bytes. Each row is CPU µs per call (process.cpuUsage, steadier than wall time
 * on a shared machine), the median of interleaved rounds. The parts show the floor: what one
 * HMAC-SHA256, one JSON pass and one deflate/inflate cost alone. "node:zlib path" is the codec as
 * it was before (deflateSync/inflateSync, a signer per call).
 * `npx tsx bench/codec.ts` (part of `npm run bench`); BENCH_CODEC_ROUNDS, BENCH_CODEC_CALLS.
 */
import { createHmac } from 'node:crypto';
import { loadavg } from 'node:os';
import { deflateSync, inflateSync } from 'node:zlib';
import { createClock } from '../server-agent/sessions/clock.js';
import { createCodec, SESSION_KEY_SALT } from '../server-agent/sessions/codec.js';
import { pythonJsonSerializer, type SessionData } from '../server-agent/sessions/serializer.js';
import { b64Decode, b64Encode, TimestampSigner } from '../server-agent/sessions/signing.js';
import { compressSmall } from '../server-agent/sessions/zlib-deflate.js';
import { inflateCapped } from '../server-agent/sessions/zlib-codec.js';
import { fmt, machineLine, writeSection } from './lib/report.js';

const ROUNDS = Number(process.env.BENCH_CODEC_ROUNDS ?? 7);
const CALLS = Number(process.env.BENCH_CODEC_CALLS ?? 20_000);
const SECRET = 'bench-secret-key-0123456789abcdefghijklmnopqrstuvwxyz';

/** A logged-in shopper: Django's auth keys, a cart, a locale; padded to exactly 288 bytes of JSON. */
function session(): SessionData {
  const data: SessionData = new Map<string, never>([
    ['_auth_user_id', '12345' as never],
    ['_auth_user_backend', 'django.contrib.auth.backends.ModelBackend' as never],
    ['_auth_user_hash', 'a3f5e8c2d1b4a6f7e9c0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4' as never],
    [
      'cart',
      [
        { sku: 'A-1', qty: 2 },
        { sku: 'B-7', qty: 1 },
      ] as never,
    ],
    ['locale', 'en-GB' as never],
    ['seen', 17 as never],
  ]);
  const base = pythonJsonSerializer.dumps(data).length + ',"note":""'.length;
  data.set('note', 'x'.repeat(288 - base) as never);
  return data;
}

const data = session();
const json = pythonJsonSerializer.dumps(data);
if (json.length !== 288) throw new Error(`bench session is ${json.length} bytes, not 288`);
const jsonBytes = Buffer.from(json, 'latin1');
const now = () => 1_700_000_000_000;
/** The session with `seen` moved on (two digits, so still 288 bytes): a write's usual change. */
let counter = 0;
const changedData: SessionData = new Map(data);
const changed = () => {
  changedData.set('seen', (10 + (counter++ % 90)) as never);
  return changedData;
};
const codec = createCodec(SECRET, [], createClock(now));
const encoded = codec.encode(data);
const compressed = deflateSync(jsonBytes);
const hmacKey = createHmac('sha256', 'k').update('derived').digest();

// The codec before this change, rebuilt from the same parts: node:zlib and a signer per call.
const oldEncode = (value: SessionData) => {
  const signer = new TimestampSigner({ key: SECRET, salt: SESSION_KEY_SALT, now });
  const bytes = Buffer.from(pythonJsonSerializer.dumps(value), 'latin1');
  const deflated = deflateSync(bytes);
  return signer.sign(deflated.length < bytes.length - 1 ? `.${b64Encode(deflated)}` : b64Encode(bytes));
};
const oldDecode = () => {
  const signer = new TimestampSigner({ key: SECRET, salt: SESSION_KEY_SALT, now });
  const payload = signer.unsign(encoded);
  return pythonJsonSerializer.loads(
    inflateSync(b64Decode(payload.slice(1)), { maxOutputLength: 16 * 2 ** 20 }).toString('latin1'),
  );
};

const rows: [string, string, () => unknown][] = [
  ['encode', 'sessionscope codec.encode, data changed since the last call', () => codec.encode(changed())],
  ['encode', 'sessionscope codec.encode, same data again (remembered payload)', () => codec.encode(data)],
  ['encode', 'node:zlib path (before), data changed since the last call', () => oldEncode(changed())],
  ['encode part', 'Python-JSON writer', () => pythonJsonSerializer.dumps(data)],
  ['encode part', 'JSON.stringify (not Python-compatible)', () => JSON.stringify(Object.fromEntries(data))],
  ['encode part', 'deflate, Python-identical (ours)', () => compressSmall(jsonBytes, jsonBytes.length - 1)],
  ['encode part', 'deflateSync (node:zlib, other bytes)', () => deflateSync(jsonBytes)],
  [
    'encode part',
    'HMAC-SHA256 of the signed value',
    () => createHmac('sha256', hmacKey).update(encoded).digest(),
  ],
  ['decode', 'sessionscope codec.decode', () => codec.decode(encoded)],
  ['decode', 'node:zlib path (before)', oldDecode],
  ['decode part', 'inflate, reused stream (ours)', () => inflateCapped(compressed)],
  ['decode part', 'inflateSync (node:zlib)', () => inflateSync(compressed)],
  ['decode part', 'JSON parse into an ordered Map', () => pythonJsonSerializer.loads(json)],
  ['decode part', 'JSON.parse alone', () => JSON.parse(json)],
];

function cpuPerCall(fn: () => unknown): number {
  const start = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / CALLS;
}

const loadBefore = loadavg()[0] ?? 0;
for (const [, , fn] of rows) for (let i = 0; i < 5_000; i++) fn();
const samples = rows.map(() => [] as number[]);
for (let round = 0; round < ROUNDS; round++) {
  // Interleaved, alternating direction: drift on a shared machine hits every row alike.
  const order = round % 2 === 0 ? rows.map((_, i) => i) : rows.map((_, i) => rows.length - 1 - i);
  for (const i of order) samples[i]!.push(cpuPerCall(rows[i]![2]));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const loadAfter = loadavg()[0] ?? 0;
const table = rows.map(([kind, name], i) => `| ${kind} | ${name} | ${fmt(median(samples[i]!), 2)} |`);
for (const line of table) process.stderr.write(`${line}\n`);

writeSection(
  'Codec',
  `Command: \`npx tsx bench/codec.ts\` (part of \`npm run bench\`). ${ROUNDS} interleaved rounds of ${fmt(CALLS)} calls per row, median kept;
CPU µs per call (user + system). Machine: ${machineLine()}, shared: load average ${loadBefore.toFixed(1)} before,
${loadAfter.toFixed(1)} after. Run: ${new Date().toISOString()}.

Django's \`SessionBase.encode\`/\`decode\` of a logged-in session whose JSON is 288 bytes (compressed: ${encoded.length} bytes
signed). The parts are the floor: one Python-compatible JSON pass, one deflate or inflate, one HMAC-SHA256.
"deflate, Python-identical" writes the bytes Python's \`zlib.compress\` writes, so the signed value equals
Django's; Node's bundled zlib (Chromium's fork) writes different bytes for most sessions.

| | what | CPU µs per call |
|---|---|---:|
${table.join('\n')}`,
);
process.stderr.write('docs/benchmarks.md: Codec section written\n');
