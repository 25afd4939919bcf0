/**
 * The agent's wire protocol, version 1: plain types and constants, no Node imports, so the
 * extension panel, the companion inspector and the agent share this one entry (split by concern
 * under protocol/, re-exported here so every importer keeps one import).
 *
 * JSON text frames. Every frame carries `v: 1` and a `type`. Order of a connection:
 *   upgrade (token, Host, Origin, peer checked before 101)
 *   client `hello` → agent `welcome` (or `error` code 'version' and close 4001)
 *   client `subscribe {sinceSeq?}` → agent `snapshot` (then `events` batches, seq strictly +1)
 *   client `command` → agent `ack` | `nack` (any time after `welcome`)
 *   agent `resync` when it had to drop events for this client: send `subscribe {sinceSeq}` again
 *   agent `goodbye` before it closes on shutdown.
 * Sessions are named by handles (a salted hash of the key), never by raw keys.
 * See docs/agent.md for the full description.
 */

export * from './protocol/constants.js';
export type * from './protocol/values.js';
export type * from './protocol/events.js';
export type * from './protocol/handshake.js';
export type * from './protocol/stream.js';
export * from './protocol/commands.js';
export type * from './protocol/connection.js';
export type * from './protocol/bus.js';
