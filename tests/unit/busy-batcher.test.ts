import { describe, expect, it } from 'vitest';
import { BusyBatcher } from '../../aws/busy-batcher.js';

/** A send that answers when told to, recording each call's items. */
function manualSend(outcome: (item: string) => unknown = () => undefined) {
  const calls: string[][] = [];
  const answers: (() => void)[] = [];
  const send = (items: string[]) => {
    calls.push(items);
    return new Promise<unknown[]>((resolve) => answers.push(() => resolve(items.map(outcome))));
  };
  return { calls, send, answerNext: () => answers.shift()!() };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('BusyBatcher', () => {
  it('sends an item at once while calls are free, one call each', async () => {
    const m = manualSend();
    const b = new BusyBatcher({ send: m.send, maxItems: 10, maxBytes: 1e6, sizeOf: () => 1, maxInFlight: 2 });
    const a = b.add('a');
    const c = b.add('b');
    expect(m.calls).toEqual([['a'], ['b']]);
    m.answerNext();
    m.answerNext();
    await expect(Promise.all([a, c])).resolves.toEqual([undefined, undefined]);
  });

  it('batches what arrives while calls are in flight, in order, within the item and byte limits', async () => {
    const m = manualSend();
    const b = new BusyBatcher({
      send: m.send,
      maxItems: 3,
      maxBytes: 5,
      sizeOf: (s: string) => s.length,
      maxInFlight: 1,
    });
    const all = ['a', 'b', 'c', 'd', 'eeee', 'ff'].map((s) => b.add(s));
    expect(m.calls).toEqual([['a']]);
    for (let i = 0; i < 4; i++) {
      m.answerNext();
      await tick();
    }
    // 3 items at most; 'eeee' + 'ff' would be 6 bytes.
    expect(m.calls).toEqual([['a'], ['b', 'c', 'd'], ['eeee'], ['ff']]);
    await expect(Promise.all(all)).resolves.toHaveLength(6);
  });

  it('rejects only the items the call refused, and all of a call that threw', async () => {
    const m = manualSend((item) => (item === 'bad' ? new Error('refused bad') : undefined));
    const b = new BusyBatcher({ send: m.send, maxItems: 10, maxBytes: 1e6, sizeOf: () => 1, maxInFlight: 1 });
    const first = b.add('first');
    const good = b.add('good');
    const bad = b.add('bad');
    m.answerNext();
    await tick();
    m.answerNext();
    await expect(first).resolves.toBeUndefined();
    await expect(good).resolves.toBeUndefined();
    await expect(bad).rejects.toThrow('refused bad');

    const failing = new BusyBatcher<string>({
      send: () => Promise.reject(new Error('network down')),
      maxItems: 10,
      maxBytes: 1e6,
      sizeOf: () => 1,
    });
    await expect(Promise.all([failing.add('x'), failing.add('y'), failing.add('z')])).rejects.toThrow(
      'network down',
    );
    // It keeps working after a failure.
    const after = new BusyBatcher({
      send: async (items: string[]) => items.map(() => undefined),
      maxItems: 10,
      maxBytes: 1e6,
      sizeOf: () => 1,
    });
    await expect(after.add('later')).resolves.toBeUndefined();
  });
});
