/**
 * The unpickler's last check, on the finished value: refuses cycles, nesting deeper than maxDepth,
 * expansion beyond maxExpanded, and inert tags left where data belongs.
 */
import { PickleRefused, PyFloat, type PyKey, PyTimezone, PyTuple, type PyValue } from './pickle-types.js';
import { Global, type Item } from './pickle-construct.js';

export function isHashable(key: Item): boolean {
  return (
    key === null ||
    typeof key === 'string' ||
    typeof key === 'number' ||
    typeof key === 'bigint' ||
    typeof key === 'boolean' ||
    key instanceof PyFloat
  );
}

/**
 * Refuses cycles, nesting deeper than maxDepth, expansion beyond maxExpanded, and inert tags
 * (an unused constructor, a bare tzinfo) left where data belongs. Iterative, and each shared
 * container is measured once, so a "billion laughs" DAG costs linear time to refuse.
 */
export function validate(root: Item, limits: { maxDepth: number; maxExpanded: number }, at: number): void {
  const sizes = new Map<object, { height: number; size: number }>();
  const inProgress = new Set<object>();
  type Frame = {
    node: PyValue[] | PyTuple | Map<PyKey, PyValue>;
    children: Item[];
    index: number;
    height: number;
    size: number;
  };
  const childrenOf = (node: Frame['node']): Item[] =>
    node instanceof Map ? [...node.values()] : node instanceof PyTuple ? (node.items as Item[]) : node;
  const isContainer = (item: Item): item is Frame['node'] =>
    Array.isArray(item) || item instanceof Map || item instanceof PyTuple;
  const leaf = (item: Item) => {
    if (item instanceof Global) throw new PickleRefused('a constructor left unused', at);
    if (item instanceof PyTimezone) throw new PickleRefused('a tzinfo outside a datetime', at);
  };
  if (!isContainer(root)) {
    leaf(root);
    return;
  }
  const frames: Frame[] = [{ node: root, children: childrenOf(root), index: 0, height: 1, size: 1 }];
  inProgress.add(root);
  while (frames.length > 0) {
    const frame = frames[frames.length - 1] as Frame;
    if (frame.index < frame.children.length) {
      const child = frame.children[frame.index++] as Item;
      if (!isContainer(child)) {
        leaf(child);
        frame.size += 1;
        continue;
      }
      if (inProgress.has(child)) throw new PickleRefused('a container that contains itself', at);
      const known = sizes.get(child);
      if (known) {
        frame.height = Math.max(frame.height, known.height + 1);
        frame.size += known.size;
      } else {
        if (frames.length >= limits.maxDepth)
          throw new PickleRefused(`nesting deeper than ${limits.maxDepth}`, at);
        inProgress.add(child);
        frames.push({ node: child, children: childrenOf(child), index: 0, height: 1, size: 1 });
        continue;
      }
    } else {
      frames.pop();
      inProgress.delete(frame.node);
      sizes.set(frame.node, { height: frame.height, size: frame.size });
      const parent = frames[frames.length - 1];
      if (parent) {
        parent.height = Math.max(parent.height, frame.height + 1);
        parent.size += frame.size;
      }
    }
    if ((frames[frames.length - 1]?.size ?? 0) > limits.maxExpanded)
      throw new PickleRefused(
        `more than ${limits.maxExpanded} values once shared references are expanded`,
        at,
      );
  }
}
