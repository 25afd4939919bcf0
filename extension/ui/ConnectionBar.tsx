/** Connection state, the doctor's verdict with its fix, and the one-step pairing form. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { useStoreState } from './use-store.js';
import './connection.css';

export interface ConnectionBarProps {
  agentOrigin: string | null;
  /** The pairing form's action: the panel pairs per origin, the inspector with its own agent. */
  onPair?: ((input: string) => string | null) | undefined;
  /** Shown with the 'no access' diagnosis: asks the browser for host access (a user gesture). */
  onGrant?: (() => void) | undefined;
}

const STATUS_TEXT = {
  idle: 'Not connected',
  connecting: 'Connecting…',
  open: 'Connected',
  reconnecting: 'Reconnecting…',
  failed: 'Not connected',
} as const;

export function ConnectionBar({ agentOrigin, onPair, onGrant }: ConnectionBarProps) {
  const status = useStoreState((s) => s.status);
  const problem = useStoreState((s) => s.problem);
  const welcome = useStoreState((s) => s.welcome);
  const attempt = useStoreState((s) => s.attempt);
  const [input, setInput] = useState('');
  const [pairError, setPairError] = useState<string | null>(null);
  const showPairing = onPair && (status === 'failed' || status === 'idle');
  const inputRef = useRef<HTMLInputElement>(null);
  const tokenRefused = showPairing && problem?.code === 'token';
  // A changed token leaves one thing to do: put the caret where the new URL goes (once per refusal).
  useEffect(() => {
    if (tokenRefused) inputRef.current?.focus();
  }, [tokenRefused]);
  return (
    <div class="connection">
      <div class="conn-line">
        <span class={`dot ${status}`} aria-hidden="true" />
        <span data-testid="connection-status">{STATUS_TEXT[status]}</span>
        {agentOrigin && <span class="muted mono">{agentOrigin}</span>}
        {status === 'reconnecting' && <span class="muted">attempt {attempt}</span>}
        {welcome && (
          <span class="muted">
            agent {welcome.agentVersion} · {welcome.session.engine} · cookie {welcome.session.cookieName}
          </span>
        )}
        {welcome?.readOnly && (
          <span class="badge readonly" title="The agent refuses writes">
            read-only
          </span>
        )}
      </div>
      {problem && status !== 'open' && (
        <div class="doctor" role="alert" data-code={problem.code}>
          <strong>{problem.title}.</strong> {problem.detail && <span>{problem.detail} </span>}
          <span class="fix">Fix: {problem.fix}</span>
          {problem.code === 'no_access' && onGrant && (
            <button type="button" onClick={onGrant}>
              Grant access to {agentOrigin}
            </button>
          )}
        </div>
      )}
      {showPairing && (
        <form
          class="pairing"
          onSubmit={(e) => {
            e.preventDefault();
            const error = onPair(input);
            setPairError(error);
            // Paired: the pasted URL holds a token that may be refused later; never offer it again.
            if (!error) setInput('');
          }}
        >
          <input
            aria-label="Inspector URL or token"
            data-testid="pairing-input"
            ref={inputRef}
            placeholder="Paste the inspector URL from the server log (…/__sessionscope/#token=…) or its token"
            value={input}
            onInput={(e) => setInput(e.currentTarget.value)}
          />
          <button type="submit">{problem?.code === 'token' ? 'Pair again' : 'Pair'}</button>
          {pairError && (
            <span class="inline-error" role="alert">
              {pairError}
            </span>
          )}
        </form>
      )}
    </div>
  );
}
