/** Expiry policy, expires-at, a live countdown, every setExpiry form and "expire now". */
import { useState } from 'preact/hooks';
import type { ExpiryInput, SessionView } from '../../server-agent/agent/protocol.js';
import type { ClientState } from '../client/state.js';
import { Countdown } from './Countdown.js';
import { formatDate } from './format.js';
import { useApp, useWritesOff } from './use-store.js';
import './expiry.css';

const POLICY_TEXT: Record<SessionView['expiry']['policy'], string> = {
  default: 'global SESSION_COOKIE_AGE',
  'browser-close': 'at browser close',
  'idle-seconds': 'after idle seconds',
  absolute: 'at a fixed date',
  expired: 'already expired',
};

type Form = 'idle' | 'duration' | 'date' | 'browser-close' | 'default';

export function toExpiryInput(
  form: Form,
  text: string,
): { ok: true; value: ExpiryInput } | { ok: false; error: string } {
  if (form === 'browser-close') return { ok: true, value: 0 };
  if (form === 'default') return { ok: true, value: null };
  if (form === 'date') {
    const ms = Date.parse(text);
    return Number.isNaN(ms)
      ? { ok: false, error: 'Pick a date and time.' }
      : { ok: true, value: new Date(ms).toISOString() };
  }
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || !Number.isInteger(seconds))
    return { ok: false, error: 'Seconds must be a whole number.' };
  return { ok: true, value: form === 'idle' ? seconds : { seconds } };
}

export interface ExpiryPaneProps {
  view: SessionView;
  clock: ClientState['clock'];
  expired: { reason: string; at: number } | undefined;
  readOnly: boolean;
}

export function ExpiryPane({ view, clock, expired, readOnly }: ExpiryPaneProps) {
  const { store } = useApp();
  const [form, setForm] = useState<Form>('idle');
  const [text, setText] = useState('5');
  const [error, setError] = useState<string | null>(null);
  const writesOff = useWritesOff();
  const off = writesOff ? { disabled: true, title: writesOff } : {};
  const { expiry } = view;
  const apply = (e: Event): void => {
    e.preventDefault();
    if (writesOff) return;
    const parsed = toExpiryInput(form, text);
    if (!parsed.ok) {
      setError(parsed.error);
      return;
    }
    setError(null);
    void store.setExpiry(parsed.value);
  };
  return (
    <section class="pane" aria-label="Expiry">
      <header class="pane-head">
        <h2>Expiry</h2>
      </header>
      <dl class="facts">
        <dt>Policy</dt>
        <dd data-testid="expiry-policy">
          {POLICY_TEXT[expiry.policy]}
          {expiry.value !== null && <span class="muted"> ({String(expiry.value)})</span>}
        </dd>
        <dt>Expires at</dt>
        <dd>{expiry.expiresAt === null ? 'browser close' : formatDate(expiry.expiresAt)}</dd>
        <dt>Remaining</dt>
        <dd data-testid="countdown">
          {expiry.expiresAt === null ? '—' : <Countdown expiresAt={expiry.expiresAt} clock={clock} />}
        </dd>
        {expired && (
          <>
            <dt>Expired</dt>
            <dd class="error-text" data-testid="expired-reason">
              {expired.reason} at {formatDate(expired.at)}
            </dd>
          </>
        )}
      </dl>
      {!readOnly && (
        <form class="controls" onSubmit={apply}>
          <select
            aria-label="Expiry form"
            value={form}
            onChange={(e) => setForm(e.currentTarget.value as Form)}
          >
            <option value="idle">idle seconds (number)</option>
            <option value="duration">duration from now ({'{seconds}'})</option>
            <option value="date">at date (absolute)</option>
            <option value="browser-close">browser close (0)</option>
            <option value="default">global policy (null)</option>
          </select>
          {(form === 'idle' || form === 'duration') && (
            <input
              aria-label="Seconds"
              class="num"
              type="number"
              value={text}
              onInput={(e) => setText(e.currentTarget.value)}
            />
          )}
          {form === 'date' && (
            <input
              aria-label="Date"
              type="datetime-local"
              value={text}
              onInput={(e) => setText(e.currentTarget.value)}
            />
          )}
          <button type="submit" {...off}>
            Set expiry
          </button>
          <button type="button" class="danger" {...off} onClick={() => void store.sessionOp('expireNow')}>
            Expire now
          </button>
          {error && (
            <span class="inline-error" role="alert">
              {error}
            </span>
          )}
        </form>
      )}
    </section>
  );
}
