/**
 * NODE_ENV, read once the way people actually write it: `Production`, `PRODUCTION` and
 * `production ` (a stray space in a .env file or a YAML value) all mean production (S6). An exact
 * comparison would start the inspector agent, or skip a production check, on a typo of case.
 */
export function isProduction(env: NodeJS.ProcessEnv = process.env): boolean {
  return typeof env.NODE_ENV === 'string' && env.NODE_ENV.trim().toLowerCase() === 'production';
}
