/** InsertionRing (insertion-ring.ts) against a plain array model of insertion order. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InsertionRing } from '../../server-agent/sessions/insertion-ring.js';

describe('InsertionRing', () => {
  it('pushes out nothing until full, then the oldest key each time; clear() starts over', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.oneof(fc.nat(20), fc.constant(-1)), { maxLength: 60 }),
        (capacity, steps) => {
          const ring = new InsertionRing<number>(capacity);
          let model: number[] = [];
          for (const step of steps) {
            if (step === -1) {
              ring.clear();
              model = [];
              continue;
            }
            model.push(step);
            const expected = model.length > capacity ? model.shift() : undefined;
            expect(ring.push(step)).toBe(expected);
          }
        },
      ),
    );
  });
});
