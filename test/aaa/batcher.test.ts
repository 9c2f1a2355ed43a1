import { describe, expect, it } from 'vitest';
import { createBatcher } from '../../src/aaa/batcher.js';

describe('group-commit batcher', () => {
  it('sends the first item alone at once and groups what arrives while a call is in flight', async () => {
    const calls: number[][] = [];
    const b = createBatcher<number, number>(
      async (items) => {
        calls.push(items);
        await new Promise((r) => setTimeout(r, 5));
        return items.map((x) => x * 10);
      },
      { maxBatch: 3, concurrency: 1 },
    );
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map((x) => b.submit(x)));
    expect(results).toEqual([10, 20, 30, 40, 50, 60]);
    expect(calls).toEqual([[1], [2, 3, 4], [5, 6]]);
  });

  it('splits a failing batch in halves until the bad item is alone: it fails only itself', async () => {
    const calls: number[][] = [];
    const b = createBatcher<number, string>(
      async (items) => {
        calls.push(items);
        if (items.includes(13)) throw new Error('unlucky');
        return items.map(String);
      },
      { maxBatch: 10, concurrency: 1 },
    );
    const first = b.submit(0); // goes alone; the rest queue behind it
    const rest = [12, 13, 14].map((x) =>
      b.submit(x).then(
        (v) => v,
        (e: Error) => e.message,
      ),
    );
    expect(await first).toBe('0');
    expect(await Promise.all(rest)).toEqual(['12', 'unlucky', '14']);
    expect(calls).toEqual([[0], [12, 13, 14], [12, 13], [12], [13], [14]]);
  });

  it('one bad item in a full batch of 64 costs about 2·log2(64) calls, not 64: the good ones are not serialised', async () => {
    let calls = 0;
    const b = createBatcher<number, number>(
      async (items) => {
        calls++;
        await new Promise((r) => setTimeout(r, 1));
        if (items.includes(40)) throw new Error('poison');
        return items;
      },
      { maxBatch: 64, concurrency: 1 },
    );
    const first = b.submit(-1);
    const all = Array.from({ length: 64 }, (_, i) =>
      b.submit(i).then(
        () => 'ok',
        () => 'failed',
      ),
    );
    await first;
    calls = 0;
    const outcomes = await Promise.all(all);
    expect(outcomes.filter((o) => o === 'failed')).toHaveLength(1);
    expect(outcomes[40]).toBe('failed');
    expect(calls).toBeLessThanOrEqual(1 + 2 * 6);
  });

  it('fails the whole batch at once on an error splitting cannot help (isFatal)', async () => {
    const calls: number[][] = [];
    const b = createBatcher<number, number>(
      async (items) => {
        calls.push(items);
        throw new Error('connection terminated');
      },
      { maxBatch: 10, concurrency: 1, isFatal: (e) => (e as Error).message.startsWith('connection') },
    );
    const first = b.submit(0).catch((e: Error) => e.message);
    const rest = [1, 2, 3].map((x) => b.submit(x).catch((e: Error) => e.message));
    expect(await first).toBe('connection terminated');
    expect(await Promise.all(rest)).toEqual(Array(3).fill('connection terminated'));
    expect(calls).toEqual([[0], [1, 2, 3]]);
  });

  it('keeps up to `concurrency` calls in flight and drain waits for all of them', async () => {
    let inFlight = 0,
      peak = 0;
    const b = createBatcher<number, number>(
      async (items) => {
        peak = Math.max(peak, ++inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        return items;
      },
      { maxBatch: 1, concurrency: 2 },
    );
    for (let i = 0; i < 6; i++) void b.submit(i);
    await b.drain();
    expect(peak).toBe(2);
    expect(inFlight).toBe(0);
  });

  it('never puts two items with the same key in one batch, and keeps each key in arrival order', async () => {
    const calls: string[][] = [];
    const b = createBatcher<string, string>(
      async (items) => {
        calls.push(items);
        await new Promise((r) => setTimeout(r, 5));
        return items;
      },
      { maxBatch: 10, concurrency: 1, keysOf: (item) => [item[0], ...(item.length > 2 ? [item[2]] : [])] },
    );
    await Promise.all(['x0', 'a1', 'a2', 'b1', 'a3', 'c1', 'b2', 'd1z', 'e1z'].map((x) => b.submit(x)));
    // d1z and e1z share their second key (z): e1z waits for the next batch.
    expect(calls).toEqual([['x0'], ['a1', 'b1', 'c1', 'd1z'], ['a2', 'b2', 'e1z'], ['a3']]);
  });
});
