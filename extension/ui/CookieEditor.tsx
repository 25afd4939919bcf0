/**
 * Editing and deleting the browser's own session cookie (the jar, not the server's session), as
 * Chrome's Application › Cookies does: through the extension's cookies API (platform.writeCookie,
 * relayed by the background script). Name, domain, path and partition stay as the jar has them (a
 * change there would make a second cookie beside this one); value, expiry, SameSite, Secure and
 * HttpOnly can change. Deleting the cookie leaves the server's session in the store: the next
 * request is simply anonymous (Flush is the button that ends the session itself).
 */
import { useState } from 'preact/hooks';
import { rewrite } from '../platform/relay.js';
import type { BrowserCookie, CookieWrite, Platform } from '../platform/types.js';
import { CheckboxField } from './CheckboxField.js';

export interface CookieEditorProps {
  cookie: BrowserCookie;
  /** The inspected origin; the write goes to `<origin><cookie path>` so the path matches. */
  origin: string;
  platform: Platform;
  onClose(): void;
}

const SAME_SITE_CHOICES: [BrowserCookie['sameSite'], string][] = [
  ['lax', 'Lax'],
  ['strict', 'Strict'],
  ['no_restriction', 'None (needs Secure)'],
  ['unspecified', '(not set)'],
];

/** Seconds since the epoch ↔ the `datetime-local` input's local wall-clock text. */
function toLocalInput(seconds: number): string {
  const date = new Date(seconds * 1000);
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 19);
}

export function cookieUrl(origin: string, cookie: BrowserCookie): string {
  return `${origin}${cookie.path.startsWith('/') ? cookie.path : '/'}`;
}

/** The write for the edited fields, every other attribute as the jar reported it. */
export function editedCookie(
  cookie: BrowserCookie,
  edit: {
    value: string;
    expires: string | null;
    sameSite: BrowserCookie['sameSite'];
    secure: boolean;
    httpOnly: boolean;
  },
): CookieWrite | { error: string } {
  const { expirationDate: _kept, ...base } = rewrite(cookie, edit.value);
  let expirationDate: number | undefined;
  if (edit.expires !== null) {
    const ms = new Date(edit.expires).getTime();
    if (!Number.isFinite(ms)) return { error: 'Pick a date and time for Expires, or choose "Session".' };
    expirationDate = Math.floor(ms / 1000);
  }
  if (edit.sameSite === 'no_restriction' && !edit.secure)
    return { error: 'SameSite=None needs Secure: browsers drop such a cookie. Tick Secure or choose Lax.' };
  return {
    ...base,
    sameSite: edit.sameSite,
    secure: edit.secure,
    httpOnly: edit.httpOnly,
    ...(expirationDate === undefined ? {} : { expirationDate }),
  };
}

export function CookieEditor({ cookie, origin, platform, onClose }: CookieEditorProps) {
  const [value, setValue] = useState(cookie.value);
  const [expires, setExpires] = useState<string | null>(
    cookie.session || cookie.expirationDate === undefined ? null : toLocalInput(cookie.expirationDate),
  );
  const [sameSite, setSameSite] = useState(cookie.sameSite);
  const [secure, setSecure] = useState(cookie.secure);
  const [httpOnly, setHttpOnly] = useState(cookie.httpOnly);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const save = async (): Promise<void> => {
    const write = editedCookie(cookie, { value, expires, sameSite, secure, httpOnly });
    if ('error' in write) return setError(write.error);
    setBusy(true);
    const result = await platform.writeCookie(cookieUrl(origin, cookie), write);
    setBusy(false);
    if (result.ok) onClose();
    else setError(`The browser did not take the cookie: ${result.error}`);
  };
  return (
    <form
      class="cookie-editor"
      aria-label="Edit the browser cookie"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
      }}
    >
      <label>
        Value
        <input
          class="mono"
          aria-label="Cookie value"
          value={value}
          onInput={(e) => setValue(e.currentTarget.value)}
        />
      </label>
      <label>
        Expires
        <select
          aria-label="Cookie lifetime"
          value={expires === null ? 'session' : 'date'}
          onChange={(e) =>
            setExpires(
              e.currentTarget.value === 'session' ? null : toLocalInput(Math.floor(Date.now() / 1000) + 3600),
            )
          }
        >
          <option value="session">Session (until the browser closes)</option>
          <option value="date">At a date</option>
        </select>
        {expires !== null && (
          <input
            type="datetime-local"
            step={1}
            aria-label="Cookie expires at"
            value={expires}
            onInput={(e) => setExpires(e.currentTarget.value)}
          />
        )}
      </label>
      <label>
        SameSite
        <select
          aria-label="Cookie SameSite"
          value={sameSite}
          onChange={(e) => setSameSite(e.currentTarget.value as BrowserCookie['sameSite'])}
        >
          {SAME_SITE_CHOICES.map(([id, label]) => (
            <option key={id} value={id}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <CheckboxField label="Secure" checked={secure} onChange={setSecure} />
      <CheckboxField label="HttpOnly" checked={httpOnly} onChange={setHttpOnly} />
      <span class="editor-bar">
        <button type="submit" disabled={busy}>
          Save cookie
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        {error && (
          <span class="inline-error" role="alert">
            {error}
          </span>
        )}
      </span>
    </form>
  );
}

/** Removes the cookie from the jar after one confirmation; the server session is left alone. */
export function CookieDelete({ cookie, origin, platform, onClose }: CookieEditorProps) {
  const [error, setError] = useState<string | null>(null);
  return (
    <div class="confirm" role="alertdialog" aria-label="Delete the browser cookie">
      <span>
        Delete the <code>{cookie.name}</code> cookie from the browser? The next request is anonymous; the
        server's session stays in the store (Flush ends it).
      </span>
      <button
        type="button"
        class="danger"
        onClick={async () => {
          const result = await platform.writeCookie(cookieUrl(origin, cookie), rewrite(cookie, null));
          if (result.ok) onClose();
          else setError(`The browser did not delete it: ${result.error}`);
        }}
      >
        Delete cookie
      </button>
      <button type="button" onClick={onClose}>
        Cancel
      </button>
      {error && (
        <span class="inline-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
