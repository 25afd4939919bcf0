/** The form under the tree that adds a top-level key with a JSON value. */
import { useState } from 'preact/hooks';
import { parseJsonInput } from './tree-model.js';
import { useApp, useWritesOff } from './use-store.js';

export function AddKey() {
  const { store } = useApp();
  const [key, setKey] = useState('');
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const writesOff = useWritesOff();
  const add = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (!key.trim()) {
      setError('Name the key to add.');
      return;
    }
    const parsed = parseJsonInput(text);
    if (!parsed.ok) {
      setError(parsed.error);
      return;
    }
    if (writesOff) {
      setError(`${writesOff} Nothing was sent.`);
      return;
    }
    setError(null);
    // The fields empty only once the agent took the key; a refused or lost write keeps them.
    if (await store.setValue(key.trim(), parsed.value)) {
      setKey('');
      setText('');
    } else {
      setError(store.state.lastFailure?.message ?? 'The agent did not take the key; your text is kept.');
    }
  };
  return (
    <form class="add-key" onSubmit={(e) => void add(e)}>
      <input
        aria-label="New key"
        placeholder="key"
        value={key}
        onInput={(e) => setKey(e.currentTarget.value)}
      />
      <input
        aria-label="New value (JSON)"
        placeholder='value as JSON, e.g. "blue"'
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      <button type="submit" {...(writesOff ? { disabled: true, title: writesOff } : {})}>
        Add
      </button>
      {error && (
        <div class="inline-error" role="alert">
          {error}
        </div>
      )}
    </form>
  );
}
