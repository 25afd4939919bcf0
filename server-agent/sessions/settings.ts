/**
 * Django's SESSION_* settings (and SECRET_KEY, CACHES, a database setting), accepted under the
 * Django name or a camelCase name, normalized, validated with the setting's name and the fix.
 */
import { databaseUrlFromDjango, parseDatabaseUrl } from './database-url.js';
import { ImproperlyConfigured } from './errors.js';
import { resolveSecretKey } from './secret-key.js';
import { closestName, describe } from './settings-checks.js';
import { checkCombinations } from './settings-combinations.js';
import { SPECS, type Spec } from './settings-specs.js';
import type { SessionSettings, SessionSettingsInput } from './settings-types.js';

export type {
  CacheConfig,
  EngineName,
  SameSite,
  SessionSettings,
  SessionSettingsInput,
} from './settings-types.js';

const KNOWN = new Map<string, Spec>();
for (const spec of SPECS) {
  KNOWN.set(spec.django, spec);
  KNOWN.set(spec.camel, spec);
}
/** Names users reach for that mean something else here; told apart so the error helps. */
const PASSTHROUGH = new Set(['DATABASES', 'databases', 'clock', 'logger', 'store', 'schema']);

/**
 * The settings object every part reads: each given name checked against the table (unknown and
 * doubled names refused, with a guess), defaults filled in, then the cross-setting checks.
 */
export function normalizeSettings(
  input: SessionSettingsInput,
  env: NodeJS.ProcessEnv = process.env,
): Readonly<SessionSettings> {
  const out: Record<string, unknown> = {};
  const seen = new Map<Spec, string>();
  for (const [name, value] of Object.entries(input)) {
    if (value === undefined) continue;
    const spec = KNOWN.get(name);
    if (!spec) {
      if (PASSTHROUGH.has(name)) continue;
      const guess = closestName(name, SPECS, (s) => [s.django, s.camel]);
      throw new ImproperlyConfigured(
        `Unknown session setting ${JSON.stringify(name)}.${guess ? ` Did you mean ${guess.django} (or ${guess.camel})?` : ' See the settings table in the README.'}`,
      );
    }
    const previous = seen.get(spec);
    if (previous !== undefined) {
      throw new ImproperlyConfigured(`${spec.django} is given twice (as ${previous} and ${name}); keep one.`);
    }
    seen.set(spec, name);
    const normalized = spec.normalize ? spec.normalize(value) : value;
    const problem = spec.check?.(normalized);
    if (problem)
      throw new ImproperlyConfigured(`${spec.django} (${spec.camel}) ${problem}; got ${describe(value)}.`);
    out[spec.camel] = normalized;
  }
  for (const spec of SPECS) if (!(spec.camel in out)) out[spec.camel] = spec.default();
  if (input.DATABASES !== undefined && input.DATABASE_URL === undefined && input.databaseUrl === undefined) {
    out.databaseUrl = databaseUrlFromDjango(input.DATABASES);
    parseDatabaseUrl(out.databaseUrl as string);
  }
  const settings = out as unknown as SessionSettings;
  checkCombinations(settings);
  settings.secretKey = resolveSecretKey(settings.secretKey, env);
  return Object.freeze(settings);
}
