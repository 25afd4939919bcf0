// @vitest-environment happy-dom
/**
 * U9 keyboard-first editing and U11 offline edits: ✎ focuses the editor, Enter/Escape; with the agent
 * gone every write control is disabled with the reason, typed values survive, and it saves once back.
 */
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { displayedView } from '../../extension/client/state.js';
import { AddKey } from '../../extension/ui/AddKey.js';
import { SessionTab } from '../../extension/ui/SessionTab.js';
import { Tree } from '../../extension/ui/Tree.js';
import { useStoreState, WRITES_OFF } from '../../extension/ui/use-store.js';
import { view } from './fixtures.js';
import { connectedStore, tick, withApp } from './harness.js';

afterEach(cleanup);

function LiveTree() {
  const state = useStoreState((s) => s);
  return (
    <Tree
      entries={displayedView(state)?.entries ?? []}
      readOnly={false}
      expanded={new Set()}
      onToggle={() => {}}
      query=""
    />
  );
}

async function setup(retry?: { baseMs: number; maxMs: number }) {
  const connected = await connectedStore(view([['color', { t: 'value', value: 'red' }]]), retry);
  render(withApp(connected.store, <LiveTree />));
  await tick();
  await tick();
  return connected;
}

describe('U9 keyboard editing', () => {
  it('✎ puts the focus in the editor, Enter saves a one-line value, Escape returns to ✎', async () => {
    const { commands } = await setup();
    const pencil = screen.getByTitle('Edit color as JSON');
    fireEvent.click(pencil);
    await tick();
    const editor = screen.getByLabelText('JSON value of color') as HTMLTextAreaElement;
    expect(document.activeElement).toBe(editor);
    fireEvent.input(editor, { target: { value: '"blue"' } });
    fireEvent.keyDown(editor, { key: 'Enter' });
    await tick();
    expect(commands.find((c) => c.op === 'set')).toMatchObject({ key: 'color', value: 'blue' });
    fireEvent.click(pencil);
    await tick();
    fireEvent.keyDown(screen.getByLabelText('JSON value of color'), { key: 'Escape' });
    await tick();
    expect(screen.queryByLabelText('JSON value of color')).toBeNull();
    expect(document.activeElement).toBe(pencil);
  });
});

describe('U11 offline edits', () => {
  it('with the agent gone, writes are disabled with the reason, Enter sends nothing and keeps the typed value; back, it saves', async () => {
    const { store, transport, commands } = await setup({ baseMs: 50, maxMs: 50 });
    fireEvent.click(screen.getByTitle('Edit color as JSON'));
    await tick();
    transport.drop();
    await tick();
    expect(store.state.status).not.toBe('open');
    const editor = screen.getByLabelText('JSON value of color') as HTMLTextAreaElement;
    fireEvent.input(editor, { target: { value: '"green"' } });
    await tick();
    const save = screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    expect(save.title).toBe(WRITES_OFF);
    expect((screen.getByLabelText('Pop color') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.keyDown(editor, { key: 'Enter' });
    await tick();
    expect(commands.some((c) => c.op === 'set')).toBe(false);
    expect(screen.getByRole('alert').textContent).toMatch(/Not connected to the agent: writes are off/);
    expect((screen.getByLabelText('JSON value of color') as HTMLTextAreaElement).value).toBe('"green"');
    // It reconnects by itself (backoff) and resyncs; the kept text then saves.
    await waitFor(() => expect(store.state.status).toBe('open'));
    await waitFor(() =>
      expect((screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement).disabled).toBe(false),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await tick();
    expect(commands.find((c) => c.op === 'set')).toMatchObject({ key: 'color', value: 'green' });
    store.disconnect();
  });

  it('a key added while the agent is gone is not sent and the fields keep what was typed', async () => {
    const { store, transport, commands } = await connectedStore(
      view([['color', { t: 'value', value: 'red' }]]),
    );
    render(withApp(store, <AddKey />));
    await tick();
    transport.drop();
    await tick();
    fireEvent.input(screen.getByLabelText('New key'), { target: { value: 'theme' } });
    fireEvent.input(screen.getByLabelText('New value (JSON)'), { target: { value: '"dark"' } });
    const add = screen.getByRole('button', { name: 'Add' }) as HTMLButtonElement;
    expect(add.disabled).toBe(true);
    fireEvent.submit(add.closest('form')!);
    await tick();
    expect(commands.some((c) => c.op === 'set')).toBe(false);
    expect(screen.getByRole('alert').textContent).toMatch(/writes are off/);
    expect((screen.getByLabelText('New key') as HTMLInputElement).value).toBe('theme');
    expect((screen.getByLabelText('New value (JSON)') as HTMLInputElement).value).toBe('"dark"');
    store.disconnect();
  });

  it('a refused write reads as one sentence (no "..") and says it was rolled back', async () => {
    const { store, transport } = await connectedStore(view([['color', { t: 'value', value: 'red' }]]));
    render(withApp(store, <SessionTab origin={null} expanded={new Set()} onToggle={() => {}} />));
    await tick();
    transport.drop();
    await tick();
    await store.pop('color');
    await tick();
    const nack = screen.getByTestId('nack').textContent ?? '';
    expect(nack).toMatch(
      /pop refused \(disconnected\): Not connected to the agent\. The change was rolled back\./,
    );
    expect(nack).not.toContain('..');
    expect(screen.getByTestId('offline-note').textContent).toMatch(/not connected.*Writes are off/);
    for (const name of ['Cycle key', 'Flush…', 'Set expiry', 'Expire now'])
      expect((screen.getByRole('button', { name }) as HTMLButtonElement).disabled, name).toBe(true);
    store.disconnect();
  });
});
