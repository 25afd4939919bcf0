// @vitest-environment happy-dom
/** Tree editing: JSON edits, invalid input, add/pop, lazy values, search, expansion kept across updates. */
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { ValuePreview } from '../../server-agent/agent/protocol.js';
import { HANDLE, view } from './fixtures.js';
import { connectedStore, tick, withApp } from './harness.js';
import { LiveTree } from './live-tree.js';

afterEach(cleanup);

const ENTRIES: [string, ValuePreview][] = [
  ['color', { t: 'value', value: 'red' }],
  ['cart', { t: 'value', value: { items: [1, 2], note: 'gift' } }],
  ['blob', { t: 'more', type: 'string', bytes: 300_000, length: 300_000 }],
];

async function setup() {
  const ctx = await connectedStore(view(ENTRIES));
  render(withApp(ctx.store, <LiveTree />));
  await tick();
  return ctx;
}

describe('session tree', () => {
  it('shows an inline error for invalid JSON and sends nothing', async () => {
    const { commands } = await setup();
    fireEvent.click(screen.getByTitle('Edit color as JSON'));
    const box = screen.getByLabelText('JSON value of color') as HTMLTextAreaElement;
    expect(box.value).toBe('"red"');
    fireEvent.input(box, { target: { value: "{'a': 1}" } });
    fireEvent.click(screen.getByText('Save'));
    expect(screen.getByRole('alert').textContent).toMatch(/Invalid JSON/);
    expect(commands.filter((c) => c.op === 'set')).toHaveLength(0);
  });

  it('sends a valid edit as a set with the value parsed and the expected revision', async () => {
    const { commands } = await setup();
    fireEvent.click(screen.getByTitle('Edit color as JSON'));
    fireEvent.input(screen.getByLabelText('JSON value of color'), { target: { value: '{"hex": "#00f"}' } });
    fireEvent.click(screen.getByText('Save'));
    expect(commands.at(-1)).toMatchObject({
      op: 'set',
      session: HANDLE,
      key: 'color',
      value: { hex: '#00f' },
      expectedRevision: 'r1',
    });
    await tick();
    expect(document.querySelector('[data-key="color"] .value')?.textContent).toBe('{"hex":"#00f"}');
  });

  it('adds a key and pops one', async () => {
    const { commands } = await setup();
    fireEvent.input(screen.getByLabelText('New key'), { target: { value: 'theme' } });
    fireEvent.input(screen.getByLabelText('New value (JSON)'), { target: { value: '"dark"' } });
    fireEvent.submit(screen.getByText('Add').closest('form')!);
    expect(commands.at(-1)).toMatchObject({ op: 'set', key: 'theme', value: 'dark' });
    fireEvent.click(screen.getByLabelText('Pop cart'));
    expect(commands.at(-1)).toMatchObject({ op: 'pop', key: 'cart' });
  });

  it('fetches a big value by path only when opened (a long string opens in the viewer), and shows its size before', async () => {
    const { commands } = await setup();
    const row = document.querySelector('[data-key="blob"] .tree-row') as HTMLElement;
    expect(row.textContent).toMatch(/string\(300000\) 293\.0 KB/);
    expect(commands.some((c) => c.op === 'getValue')).toBe(false);
    fireEvent.keyDown(row, { key: 'ArrowRight' });
    await tick();
    expect(screen.getByRole('dialog').textContent).toContain('blob');
    expect(commands.at(-1)).toMatchObject({ op: 'getValue', session: HANDLE, path: ['blob'] });
  });

  it('keeps nodes expanded when the session updates live', async () => {
    const { store } = await setup();
    fireEvent.keyDown(document.querySelector('[data-key="cart"] .tree-row')!, { key: 'ArrowRight' });
    expect(screen.getByText('note')).toBeTruthy();
    store.setValue('color', 'green');
    await tick();
    expect(screen.getByText('note')).toBeTruthy();
    expect(screen.getByText('"green"')).toBeTruthy();
  });

  it('searches keys and values, opening the branch that holds a match', async () => {
    await setup();
    fireEvent.input(screen.getByLabelText('q'), { target: { value: 'gift' } });
    expect(document.querySelectorAll('.tree-top')).toHaveLength(1);
    expect(screen.getByText('"gift"')).toBeTruthy();
    expect(document.querySelector('.tree-row.hit')?.textContent).toContain('note');
  });
});
