/**
 * The session's JSON value types, in their own module so that the serializer (which writes
 * them) and the ordered parser (which reads them) both depend on it and not on each other.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
/** The session dict. A Map keeps insertion order for integer-like keys, as Python does. */
export type SessionData = Map<string, JsonValue>;
