// @vitest-environment happy-dom
/** U9 keyboard-first editing and U11 offline edits: ✎ focuses the editor, Enter/Escape, the typed value survives a lost agent. */
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { displayedView } from '../../extension/client/state.js';
import { Tree } from '../../extension/ui/Tree.js';
import { useStoreState } from '../../extension/ui/use-store.js';
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

async function setup() {
  const connected = await connectedStore(view([['color', { t: 'value', value: 'red' }]]));
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
  it('with the agent gone, Save sends nothing, says why, and keeps the typed value', async () => {
    const { store, transport, commands } = await setup();
    fireEvent.click(screen.getByTitle('Edit color as JSON'));
    await tick();
    transport.drop();
    await tick();
    expect(store.state.status).not.toBe('open');
    const editor = screen.getByLabelText('JSON value of color') as HTMLTextAreaElement;
    fireEvent.input(editor, { target: { value: '"green"' } });
    await tick();
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await tick();
    expect(commands.some((c) => c.op === 'set')).toBe(false);
    expect(screen.getByRole('alert').textContent).toMatch(/Not connected/);
    expect((screen.getByLabelText('JSON value of color') as HTMLTextAreaElement).value).toBe('"green"');
    store.disconnect();
  });
});
