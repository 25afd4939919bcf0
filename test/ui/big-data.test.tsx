// @vitest-environment happy-dom
/**
 * Issue 11 item 7 in the tree: a 3,000-item array opens to ranges of 100, search finds "item 2999"
 * and reveals it, a long string opens whole in the viewer (copy, JSON, snippet; Escape closes) and
 * keeps its ✎ once fetched.
 */
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClientMessage, JsonValue, ValuePreview } from '../../server-agent/agent/protocol.js';
import { HANDLE, view } from './fixtures.js';
import { connectedStore, tick, withApp } from './harness.js';
import { LiveTree } from './live-tree.js';

afterEach(cleanup);

const LIST: JsonValue[] = Array.from({ length: 3000 }, (_, i) => `item ${i}`);
const BIG = `${'lorem ipsum '.repeat(17_000)}THE END`;
const WHOLE: Record<string, JsonValue> = { list: LIST, big: BIG };

const ENTRIES: [string, ValuePreview][] = [
  ['user', { t: 'value', value: 'alice' }],
  [
    'list',
    {
      t: 'array',
      bytes: 38_890,
      length: 3000,
      items: LIST.slice(0, 50).map((value): ValuePreview => ({ t: 'value', value })),
    },
  ],
  ['big', { t: 'string', bytes: BIG.length + 2, length: BIG.length, head: BIG.slice(0, 500) }],
];

async function setup() {
  const ctx = await connectedStore(view(ENTRIES));
  const answer = ctx.transport.onSend;
  // The scripted agent also answers getValue with the whole value (as the real one does up to maxFetchBytes).
  ctx.transport.onSend = (m: ClientMessage) => {
    answer?.(m);
    if (m.type === 'command' && m.op === 'getValue') {
      const value = WHOLE[String(m.path[0])];
      queueMicrotask(() =>
        ctx.transport.push({
          v: 1,
          type: 'ack',
          id: m.id,
          op: 'getValue',
          result: { session: HANDLE, path: m.path, value: { t: 'value', value: value ?? null } },
        }),
      );
    }
  };
  render(withApp(ctx.store, <LiveTree />));
  await tick();
  return ctx;
}

const rowOf = (key: string) => document.querySelector(`[data-key="${key}"] > .tree-row`) as HTMLElement;
const settle = async () => {
  for (let i = 0; i < 4; i++) await tick();
};

describe('a 3,000-item array', () => {
  it('opens to 30 range rows of 100, not 3,000 rows, and a range opens to its 100', async () => {
    const { commands } = await setup();
    fireEvent.keyDown(rowOf('list'), { key: 'ArrowRight' });
    await settle();
    expect(commands.filter((c) => c.op === 'getValue')).toHaveLength(1);
    const ranges = [...document.querySelectorAll('[data-key="list"] .range-row')];
    expect(ranges).toHaveLength(30);
    expect(ranges[0]!.textContent).toBe('▸[0…99]');
    expect(ranges[29]!.textContent).toBe('▸[2900…2999]');
    expect(document.querySelectorAll('[data-key="list"] .tree-row')).toHaveLength(31);
    fireEvent.keyDown(ranges[1]!, { key: 'Enter' });
    await tick();
    const rows = [...document.querySelectorAll('[data-key="list"] .tree-row:not(.range-row)')];
    expect(rows).toHaveLength(1 + 100);
    expect(rows[1]!.textContent).toContain('100:"item 100"');
    expect(rows[100]!.textContent).toContain('199:"item 199"');
  });

  it('search "item 2999" fetches the value, finds the nested match and reveals it (node and range open)', async () => {
    const { commands } = await setup();
    fireEvent.input(screen.getByLabelText('q'), { target: { value: 'item 2999' } });
    await settle();
    expect(commands.some((c) => c.op === 'getValue' && c.path[0] === 'list')).toBe(true);
    expect(document.querySelectorAll('.tree-top')).toHaveLength(1);
    const hit = document.querySelector('.tree-row.hit') as HTMLElement;
    expect(hit.textContent).toContain('2999:"item 2999"');
    expect(
      document.querySelector('[data-range=\'["list"][2900…2999]\']')?.getAttribute('aria-expanded'),
    ).toBe('true');
    expect(document.querySelector('[data-range=\'["list"][0…99]\']')?.getAttribute('aria-expanded')).toBe(
      'false',
    );
    expect(screen.getByTestId('tree-search-count').textContent).toBe('1 match');
  });
});

describe('a 200 KB string', () => {
  it('opens whole in the viewer, readable and copyable; Escape closes it and gives the focus back', async () => {
    const { commands } = await setup();
    const written: string[] = [];
    Object.defineProperty(navigator, 'clipboard', {
      configurable: true,
      value: { writeText: async (text: string) => void written.push(text) },
    });
    const viewButton = screen.getByLabelText('View big in full');
    viewButton.focus();
    fireEvent.click(viewButton);
    await settle();
    expect(commands.at(-1)).toMatchObject({ op: 'getValue', path: ['big'] });
    const box = screen.getByLabelText('Full value of big') as HTMLTextAreaElement;
    expect(box.value).toBe(BIG);
    expect(document.activeElement).toBe(box);
    expect(screen.getByTestId('viewer-size').textContent).toMatch(/string · 204,007 chars · 199\.2 KB/);
    fireEvent.click(screen.getByText('Copy'));
    await settle();
    fireEvent.click(screen.getByText('Copy as JSON'));
    await settle();
    fireEvent.click(screen.getByText('Copy as sessions.open(…) snippet'));
    await settle();
    expect(written[0]).toBe(BIG);
    expect(JSON.parse(written[1]!)).toBe(BIG);
    expect(written[2]).toContain(`sessions.handles.keyFor("${HANDLE}")`);
    expect(written[2]).toContain('process.env.SESSION_KEY');
    expect(written[2]).toContain(`await s.set("big", ${JSON.stringify(BIG)});`);
    expect(screen.getByTestId('viewer-status').textContent).toMatch(/Copied a sessions\.open/);
    fireEvent.keyDown(box, { key: 'Escape' });
    await tick();
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(viewButton);
  });

  it('keeps its ✎ once fetched, and the editor holds the whole string', async () => {
    await setup();
    fireEvent.click(screen.getByLabelText('View big in full'));
    await settle();
    fireEvent.keyDown(screen.getByLabelText('Full value of big'), { key: 'Escape' });
    await tick();
    expect(rowOf('big').textContent).toContain('"lorem ipsum');
    fireEvent.click(screen.getByTitle('Edit big as JSON'));
    await settle();
    expect((screen.getByLabelText('JSON value of big') as HTMLTextAreaElement).value).toBe(
      JSON.stringify(BIG),
    );
  });

  it('✎ on a value held only as a preview fetches it whole first', async () => {
    const { commands } = await setup();
    fireEvent.click(screen.getByTitle('Edit list as JSON'));
    await settle();
    expect(commands.some((c) => c.op === 'getValue' && c.path[0] === 'list')).toBe(true);
    const editor = screen.getByLabelText('JSON value of list') as HTMLTextAreaElement;
    expect(JSON.parse(editor.value)).toHaveLength(3000);
  });
});
