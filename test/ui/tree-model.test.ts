/** Issue 11 item 7: big arrays and objects in ranges of 100, and search reaching nested keys and values. */
import { describe, expect, it } from 'vitest';
import type { JsonValue, ValuePath, ValuePreview } from '../../server-agent/agent/protocol.js';
import { pathKey } from '../../extension/client/state.js';
import {
  pathId,
  rangeId,
  rangesFor,
  rangesHolding,
  searchNeedsFetch,
  searchTree,
} from '../../extension/ui/tree-model.js';

const items = (n: number): JsonValue[] => Array.from({ length: n }, (_, i) => `item ${i}`);

describe('ranges of 100', () => {
  it('leaves 100 children or fewer as they are', () => {
    expect(rangesFor(0, 99)).toBeNull();
    expect(rangesFor(0, -1)).toBeNull();
  });

  it('groups 3,000 children into 30 ranges of 100, labelled by index', () => {
    const ranges = rangesFor(0, 2999)!;
    expect(ranges).toHaveLength(30);
    expect(ranges[0]).toEqual({ from: 0, to: 99 });
    expect(ranges[29]).toEqual({ from: 2900, to: 2999 });
    expect(rangeId(['list'], ranges[1]!)).toBe('["list"][100…199]');
  });

  it('keeps a partial last range and 101 children as two ranges', () => {
    expect(rangesFor(0, 100)).toEqual([
      { from: 0, to: 99 },
      { from: 100, to: 100 },
    ]);
    expect(rangesFor(0, 249)!.at(-1)).toEqual({ from: 200, to: 249 });
  });

  it('nests past 10,000 so no level lists more than 100 rows', () => {
    const outer = rangesFor(0, 19_999)!;
    expect(outer).toEqual([
      { from: 0, to: 9999 },
      { from: 10_000, to: 19_999 },
    ]);
    expect(rangesFor(10_000, 19_999)).toHaveLength(100);
    expect(rangesFor(0, 999_999)).toHaveLength(100);
    expect(rangesHolding(['a'], 20_000, 12_345)).toEqual(['["a"][10000…19999]', '["a"][12300…12399]']);
    expect(rangesHolding(['a'], 50, 7)).toEqual([]);
  });
});

describe('search', () => {
  const entries: [string, ValuePreview][] = [
    ['user', { t: 'value', value: 'alice' }],
    ['list', { t: 'value', value: items(3000) }],
    ['cart', { t: 'value', value: { items: [{ sku: 'tea', qty: 2 }], note: 'gift' } }],
  ];

  it('finds a value 3,000 items down and opens the node and the range holding it', () => {
    const found = searchTree(entries, 'Item 2999');
    expect([...found.keys]).toEqual(['list']);
    expect(found.hits).toEqual(new Set([pathId(['list', 2999])]));
    expect(found.open).toEqual(new Set([pathId(['list']), '["list"][2900…2999]']));
    expect(found.count).toBe(1);
  });

  it('a broad query opens the ranges of its first matches only and counts the rest per range', () => {
    const found = searchTree(entries, 'item ');
    expect(found.count).toBe(3000);
    expect(found.open).toEqual(
      new Set([pathId(['list']), '["list"][0…99]', '["list"][100…199]', '["list"][200…299]']),
    );
    expect(found.rangeHits.get('["list"][0…99]')).toBe(100);
    expect(found.rangeHits.get('["list"][2900…2999]')).toBe(100);
    const spread = searchTree(entries, '99');
    // item 99, 199, 299 open three ranges; 990…999 and the rest stay closed, counted.
    expect([...spread.open].filter((id) => id.includes('…'))).toEqual([
      '["list"][0…99]',
      '["list"][100…199]',
      '["list"][200…299]',
    ]);
    expect(spread.rangeHits.get('["list"][900…999]')).toBe(10);
    expect(spread.open.has('["list"][900…999]')).toBe(false);
  });

  it('finds nested keys and opens every ancestor', () => {
    const found = searchTree(entries, 'sku');
    expect([...found.keys]).toEqual(['cart']);
    expect(found.hits).toEqual(new Set([pathId(['cart', 'items', 0, 'sku'])]));
    expect(found.open).toEqual(new Set(['["cart"]', '["cart","items"]', '["cart","items",0]']));
  });

  it('matches a string by its text, not its JSON quotes, and a key without opening it', () => {
    expect(searchTree(entries, 'alice"').count).toBe(0);
    const byKey = searchTree(entries, 'car');
    expect(byKey.hits.has(pathId(['cart']))).toBe(true);
    expect(byKey.open.size).toBe(0);
  });

  it('an empty query matches nothing and opens nothing', () => {
    const found = searchTree(entries, '');
    expect(found.keys.size + found.open.size + found.hits.size).toBe(0);
  });

  it('searches the fetched value where the client holds one, not the preview', () => {
    const preview: [string, ValuePreview][] = [
      ['list', { t: 'array', bytes: 40_000, length: 3000, items: [{ t: 'value', value: 'item 0' }] }],
    ];
    expect(searchTree(preview, 'item 2999').keys.size).toBe(0);
    expect(searchNeedsFetch(preview[0]![1])).toBe(true);
    const values: Record<string, ValuePreview> = {
      [pathKey(['list'])]: { t: 'value', value: items(3000) },
    };
    const fetched = (path: ValuePath) => values[pathKey(path)];
    expect([...searchTree(preview, 'item 2999', fetched).keys]).toEqual(['list']);
  });

  it('needs no fetch for whole or redacted values, and one for truncated strings and outlines', () => {
    expect(searchNeedsFetch({ t: 'value', value: 'x' })).toBe(false);
    expect(searchNeedsFetch({ t: 'redacted', bytes: 9 })).toBe(false);
    expect(searchNeedsFetch({ t: 'string', bytes: 9, length: 9000, head: 'x' })).toBe(true);
    expect(
      searchNeedsFetch({
        t: 'object',
        bytes: 9000,
        length: 1,
        entries: [['deep', { t: 'more', type: 'array', bytes: 9000, length: 10 }]],
      }),
    ).toBe(true);
  });
});
