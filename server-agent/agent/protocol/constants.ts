/** Protocol versions, paths, header names and close codes: the constants both ends agree on. */

/**
 * 2: clients say what they watch (`watch`), events frames carry `after`/`through` instead of
 * consecutive seqs, requests nobody watches arrive as one `request.summary` each.
 * 3: past `limits.summariesPerSecond`, such requests are counted in `requests.skipped` instead
 * (a client that speaks at most 2 gets neither the count nor, then, those requests).
 */
export const PROTOCOL_VERSION = 3;
/** Oldest protocol version this agent still speaks (1 had no watch and no summaries). */
export const MIN_PROTOCOL_VERSION = 2;

/** Most sessions one client may watch by handle (`watch.sessions`). */
export const MAX_WATCHED_SESSIONS = 64;

export const WS_PATH = '/__sessionscope/ws';
export const INSPECTOR_PATH = '/__sessionscope/';
/** The subprotocol the agent selects; browsers require it to be one the client offered. */
export const SUBPROTOCOL = 'sessionscope.v1';
/**
 * Browsers cannot set headers on `new WebSocket`, so the token may travel as a subprotocol entry:
 * `new WebSocket(url, [SUBPROTOCOL, TOKEN_PROTOCOL_PREFIX + token])`. `?token=` also works, but
 * the query string can end up in logs.
 */
export const TOKEN_PROTOCOL_PREFIX = 'sessionscope.token.';
/**
 * The connection doctor's plain GET carries the same `sessionscope.token.<token>` entry in this
 * header (fetch may not set Sec-WebSocket-Protocol), so the token never lands in a request line.
 */
export const DOCTOR_TOKEN_HEADER = 'x-sessionscope-protocol';
/** Response header naming the request's id, joinable with the browser's network log. */
export const REQUEST_ID_HEADER = 'x-sessionscope-request';
/** On a refused upgrade (and on a plain GET of WS_PATH, the doctor probe) the agent names the failed check here. */
export const REFUSAL_HEADER = 'x-sessionscope-refused';

/** WebSocket close codes the agent uses. */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  policy: 1008,
  tooBig: 1009,
  version: 4001,
  rateLimited: 4008,
  slowConsumer: 4009,
  handshakeTimeout: 4010,
  tooManyClients: 4013,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
