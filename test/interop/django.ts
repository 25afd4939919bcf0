/** Runs test/interop/django_driver.py with Debian's /usr/bin/python3 (never a pyenv python). */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { IN_CI } from '../helpers/services.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const DRIVER = fileURLToPath(new URL('./django_driver.py', import.meta.url));

export type DjangoDb = Record<string, unknown>;

export interface DjangoCommand {
  op: 'migrate' | 'write' | 'read' | 'sqlmigrate';
  engine?: 'db' | 'signed_cookies';
  secret: string;
  db?: DjangoDb;
  data?: Record<string, unknown>;
  key?: string | null;
  expiry?: number;
}

export async function django<T = Record<string, unknown>>(command: DjangoCommand): Promise<T> {
  const child = execFile(PYTHON, [DRIVER], { timeout: 20_000 });
  const output = new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk) => (out += chunk));
    child.stderr?.on('data', (chunk) => (err += chunk));
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`Django driver failed (${code}): ${err}`)),
    );
  });
  child.stdin?.end(JSON.stringify(command));
  return JSON.parse(await output) as T;
}

/** The Django version, or null when python3-django is missing (an error under CI). */
export async function djangoVersion(): Promise<string | null> {
  try {
    const { stdout } = await run(PYTHON, ['-c', 'import django; print(django.get_version())']);
    return stdout.trim();
  } catch (error) {
    if (IN_CI)
      throw new Error(
        `python3-django is needed for the interop tests (apt-get install -y python3-django python3-psycopg2): ${String(error)}`,
      );
    return null;
  }
}
