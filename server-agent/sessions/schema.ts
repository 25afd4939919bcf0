/**
 * Typed session data: an optional Standard Schema validator (zod, valibot, arktype, …) checks the
 * data every time a session loads, and `sessions.typed(session)` gives get/set the schema's types
 * (typed-session.ts). Stored data that fails the schema is reported on the `sessionscope:schema`
 * logger and the session loads empty, as Django treats a corrupt record: the visitor gets a fresh
 * session, never an error.
 */
import { createLogger } from './log.js';
import type { JsonValue } from './serializer.js';
import type { SessionValidator } from './session-context.js';

/** The Standard Schema v1 interface (standardschema.dev), copied as its authors recommend. */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}
type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | {
      readonly issues: ReadonlyArray<{
        readonly message: string;
        readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
      }>;
    };

export type InferSessionData<S> =
  S extends StandardSchemaV1<unknown, infer Output>
    ? unknown extends Output
      ? Record<string, JsonValue>
      : Output
    : Record<string, JsonValue>;

/** Keys the framework itself keeps in the session; the schema never sees them. */
const FRAMEWORK_KEY = /^(_session_|testcookie$)/;
const log = createLogger('sessionscope:schema');

export type { SessionValidator } from './session-context.js';

export function createValidator(schema: StandardSchemaV1): SessionValidator {
  if (!schema || typeof schema !== 'object' || typeof schema['~standard']?.validate !== 'function') {
    throw new TypeError(
      'schema must be a Standard Schema validator (zod 3.24+, valibot 1+, arktype 2+), e.g. z.object({ cart: z.array(z.string()) }).',
    );
  }
  return async (data, sessionHandle) => {
    const user: Record<string, JsonValue> = {};
    const framework = new Map<string, JsonValue>();
    for (const [key, value] of data) {
      if (FRAMEWORK_KEY.test(key)) framework.set(key, value);
      else user[key] = value;
    }
    const result = await schema['~standard'].validate(user);
    if (result.issues) {
      const where = result.issues
        .slice(0, 5)
        .map(
          (issue) =>
            `${(issue.path ?? []).map((p) => String(typeof p === 'object' ? p.key : p)).join('.') || '(root)'}: ${issue.message}`,
        )
        .join('; ');
      log.warn(
        `Stored session ${sessionHandle ?? '(new)'} does not match the schema, so it loads empty: ${where}`,
      );
      return new Map();
    }
    // The schema's output (defaults, coercions) becomes the session's data, framework keys kept.
    const typed = new Map(Object.entries(result.value as Record<string, JsonValue>));
    for (const [key, value] of framework) typed.set(key, value);
    return typed;
  };
}
