/**
 * The JSON of one sequenced `request.summary`, written field by field. A streaming agent sends one
 * summary per request nobody watches, so this runs on every request under load: JSON.stringify of
 * the `{ seq, event }` object cost about twice this (bench/agent-listener.ts). The text parses to
 * exactly what JSON.stringify would give (test/agent/summary-json.test.ts checks every field).
 */
import type { SequencedEvent, WireEventMap } from './protocol.js';

export type SummaryEvent = { type: 'request.summary' } & WireEventMap['request.summary'];

/**
 * Handles, request ids, methods and most paths need no escaping: no JSON.stringify call for them.
 * Anything JSON escapes (quote, backslash, control characters) or might (surrogates, which
 * JSON.stringify writes as \u escapes when lone) goes through JSON.stringify.
 */
function text(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(value);
  }
  return `"${value}"`;
}

/** JSON has no NaN or Infinity: JSON.stringify writes null, and so does this. */
function num(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}

/**
 * The four flags of every summary as one piece of text per combination: each `+=` of a piece
 * allocates a node of the string being built, and this runs once per request.
 */
const FLAGS = Array.from(
  { length: 16 },
  (_, bits) =>
    `,"cookiePresent":${(bits & 8) !== 0},"accessed":${(bits & 4) !== 0},"modified":${(bits & 2) !== 0},"saved":${(bits & 1) !== 0},"events":`,
);

export function summaryJson(seq: number, s: SummaryEvent): string {
  let json = `{"seq":${seq},"event":{"type":"request.summary","at":${num(s.at)}`;
  if (s.requestId !== undefined) json += `,"requestId":${text(s.requestId)}`;
  if (s.session !== undefined) json += `,"session":${text(s.session)}`;
  json += `,"method":${text(s.method)},"path":${text(s.path)},"status":${num(s.status)},"ms":${num(s.ms)}`;
  json += FLAGS[(s.cookiePresent ? 8 : 0) | (s.accessed ? 4 : 0) | (s.modified ? 2 : 0) | (s.saved ? 1 : 0)];
  json += num(s.events);
  if (s.notSavedReason !== undefined) json += `,"notSavedReason":${text(s.notSavedReason)}`;
  if (s.loaded !== undefined) json += `,"loaded":${text(s.loaded)}`;
  if (s.changed !== undefined) {
    json += ',"changed":[';
    for (let i = 0; i < s.changed.length; i++)
      json += i === 0 ? text(s.changed[i] as string) : `,${text(s.changed[i] as string)}`;
    json += ']';
  }
  if (s.flushed !== undefined) json += `,"flushed":${s.flushed}`;
  if (s.cycled !== undefined) json += `,"cycled":${s.cycled}`;
  if (s.expired !== undefined) json += `,"expired":${text(s.expired)}`;
  if (s.conflict !== undefined) json += `,"conflict":${s.conflict}`;
  if (s.interrupted !== undefined) json += `,"interrupted":${s.interrupted}`;
  if (s.cookie !== undefined) json += `,"cookie":${text(s.cookie)}`;
  return `${json}}}`;
}

/**
 * The JSON of any sequenced event: this process's summaries by summaryJson, the rest (and summaries
 * from other processes, which arrive over the bus and carry `proc`) by JSON.stringify.
 */
export function itemJson(seq: number, event: SequencedEvent['event']): string {
  return event.type === 'request.summary' && event.proc === undefined
    ? summaryJson(seq, event)
    : JSON.stringify({ seq, event });
}
