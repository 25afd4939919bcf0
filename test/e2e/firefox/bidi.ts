/**
 * A small WebDriver BiDi client over `ws` for Debian's firefox-esr (playwright-core cannot drive
 * stock Firefox). Only what the Firefox e2e needs: session.new, webExtension.install,
 * browsingContext.*, script.evaluate, storage.getCookies.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { removeBrowserProfile } from '../../helpers/browser-profile.js';

export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

export function firefoxAvailable(): boolean {
  return existsSync(FIREFOX);
}

interface Reply {
  id: number;
  type: 'success' | 'error';
  result?: unknown;
  error?: string;
  message?: string;
}

export class BidiError extends Error {}

export class Bidi {
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: Reply) => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as Reply | { type: 'event' };
      if ('id' in message) {
        this.waiting.get(message.id)?.(message);
        this.waiting.delete(message.id);
      }
    });
  }

  static async connect(url: string): Promise<Bidi> {
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new Bidi(socket);
  }

  send<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, (reply) => {
        if (reply.type === 'success') resolve(reply.result as T);
        else reject(new BidiError(`${method}: ${reply.error}: ${reply.message}`));
      });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Evaluates an expression (awaiting promises) in a browsing context; returns its JSON value. */
  async evaluate<T>(context: string, expression: string): Promise<T> {
    const result = await this.send<{
      type: 'success' | 'exception';
      result?: { type: string; value?: unknown };
      exceptionDetails?: { text: string };
    }>('script.evaluate', {
      expression: `(async () => JSON.stringify(await (${expression})))()`,
      target: { context },
      awaitPromise: true,
    });
    if (result.type === 'exception') throw new BidiError(`evaluate: ${result.exceptionDetails?.text}`);
    const text = result.result?.value;
    return (typeof text === 'string' ? JSON.parse(text) : undefined) as T;
  }

  close(): void {
    this.socket.close();
  }
}

export interface Firefox {
  bidi: Bidi;
  /** The moz-extension:// origin of the installed extension (pinned through a profile pref). */
  extensionOrigin: string;
  close(): Promise<void>;
}

/** The gecko id scripts/package-extension.ts writes into the Firefox build. */
export const GECKO_ID = 'sessionscope@sessionscope.dev';
/** Firefox gives every install a random moz-extension UUID; the test pins one through a pref. */
const EXTENSION_UUID = '5e551075-c0be-4e2e-9f1d-000000000e2e';

export async function launchFirefox(extensionDir: string): Promise<Firefox> {
  const profile = mkdtempSync(join(tmpdir(), 'sessionscope-firefox-'));
  writeFileSync(
    join(profile, 'user.js'),
    [
      ['extensions.webextensions.uuids', JSON.stringify({ [GECKO_ID]: EXTENSION_UUID })],
      ['browser.shell.checkDefaultBrowser', false],
      ['datareporting.policy.dataSubmissionEnabled', false],
      ['toolkit.telemetry.reportingpolicy.firstRun', false],
      ['browser.startup.homepage_override.mstone', 'ignore'],
      ['network.captive-portal-service.enabled', false],
      ['app.update.disabledForTesting', true],
      ['extensions.update.enabled', false],
      ['browser.safebrowsing.malware.enabled', false],
      ['browser.safebrowsing.phishing.enabled', false],
    ]
      .map(([name, value]) => `user_pref(${JSON.stringify(name)}, ${JSON.stringify(value)});`)
      .join('\n'),
  );
  const proc: ChildProcess = spawn(
    FIREFOX,
    [
      '--headless',
      '--no-remote',
      '--profile',
      profile,
      '--remote-debugging-port=0',
      // BiDi refuses to navigate to moz-extension:// pages without it (isWebdriverSafeNavigationURL).
      '--remote-allow-system-access',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const stop = async (): Promise<void> => {
    proc.kill();
    await new Promise((r) => (proc.exitCode === null ? proc.once('exit', r) : r(null)));
    await removeBrowserProfile(profile);
  };
  try {
    return await attachFirefox(proc, extensionDir, stop);
  } catch (error) {
    // A failed start-up must not leave Firefox running.
    await stop();
    throw error;
  }
}

async function attachFirefox(
  proc: ChildProcess,
  extensionDir: string,
  stop: () => Promise<void>,
): Promise<Firefox> {
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`Firefox did not start:\n${text}`)), 60_000);
    const read = (chunk: Buffer): void => {
      text += chunk.toString();
      const match = /WebDriver BiDi listening on (ws:\/\/\S+)/.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    proc.stdout?.on('data', read);
    proc.stderr?.on('data', read);
    proc.once('exit', (code) => reject(new Error(`Firefox exited (${code}):\n${text}`)));
  });
  const bidi = await Bidi.connect(`${url}/session`);
  await bidi.send('session.new', { capabilities: {} });
  await bidi.send('webExtension.install', { extensionData: { type: 'path', path: extensionDir } });
  return {
    bidi,
    extensionOrigin: `moz-extension://${EXTENSION_UUID}`,
    async close() {
      await bidi.send('session.end').catch(() => {});
      bidi.close();
      await stop();
    },
  };
}
