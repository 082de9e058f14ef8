import { describe, expect, it } from 'vitest';
import { JobSlots } from '../src/jobSlots.js';

describe('JobSlots', () => {
  it('grants up to its size at once, then makes the next caller wait for a release, in arrival order', async () => {
    const slots = new JobSlots(2);
    const a = await slots.take(0);
    const b = await slots.take(0);
    expect(a && b && slots.busy).toBe(2);
    const order: string[] = [];
    const c = slots.take(5000).then((r) => (order.push('c'), r));
    const d = slots.take(5000).then((r) => (order.push('d'), r));
    a!();
    a!(); // a second release of the same slot changes nothing
    const granted = await c;
    expect(granted).toBeTypeOf('function');
    expect(slots.busy).toBe(2);
    b!();
    expect(await d).toBeTypeOf('function');
    expect(order).toEqual(['c', 'd']);
  });

  it('answers undefined when no slot came free in time, and forgets the waiter', async () => {
    const slots = new JobSlots(1);
    const held = await slots.take(0);
    expect(await slots.take(20)).toBeUndefined();
    held!();
    expect(slots.busy).toBe(0);
    expect(await slots.take(0)).toBeTypeOf('function');
  });
});
