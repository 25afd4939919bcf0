/**
 * `sessionscope token rotate | check`: the agent's persisted development token
 * (`.sessionscope/agent-token` in the app's folder, see agent/token-file.ts).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readTokenFile, rotateToken, tokenFilePath } from './agent/token-file.js';

export const TOKEN_HELP = `Usage: sessionscope token <rotate|check> [--cwd <app folder>]

  rotate   Write a new agent token to .sessionscope/agent-token (mode 0600). The app's agent uses it
           from its next start (a running one keeps the old token until then); pair the panel again
           from the URL it prints.
  check    Say whether the token file is usable (exit 1 with the fix when it is not).

The agent keeps its token there only in development (NODE_ENV unset or "development"), so restarts
under tsx watch or nodemon keep the panel paired. --cwd is the folder the app is started from
(default: the current one).
`;

export function runToken(args: string[]): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { cwd: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [action] = positionals;
  if (values.help || action === 'help') {
    process.stdout.write(TOKEN_HELP);
    return 0;
  }
  const file = tokenFilePath(resolve(values.cwd ?? '.'));
  switch (action) {
    case 'rotate':
      rotateToken(file);
      process.stdout.write(
        `New agent token written to ${file} (mode 0600). Restart the app, then pair the panel with the URL it prints.\n`,
      );
      return 0;
    case 'check': {
      const token = readTokenFile(file);
      process.stdout.write(
        token
          ? `${file}: a usable token (mode 0600); the agent reuses it at every start in development.\n`
          : `${file}: none yet; the agent writes one at its first start in development.\n`,
      );
      return 0;
    }
    default:
      process.stderr.write(
        `${action === undefined ? 'Missing' : `Unknown`} token action${action === undefined ? '' : ` ${JSON.stringify(action)}`}.\n\n${TOKEN_HELP}`,
      );
      return 2;
  }
}
