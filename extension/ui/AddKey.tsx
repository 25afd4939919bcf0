/** The form under the tree that adds a top-level key with a JSON value. */
import { useState } from 'preact/hooks';
import { parseJsonInput } from './tree-model.js';
import { useApp } from './use-store.js';

export function AddKey() {
  const { store } = useApp();
  const [key, setKey] = useState('');
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const add = (e: Event): void => {
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
    setError(null);
    setKey('');
    setText('');
    void store.setValue(key.trim(), parsed.value);
  };
  return (
    <form class="add-key" onSubmit={add}>
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
      <button type="submit">Add</button>
      {error && (
        <div class="inline-error" role="alert">
          {error}
        </div>
      )}
    </form>
  );
}
