// Shared pieces of the provider adapter tests.

/** Polls until the check holds (or gives up after `ms`): timing-independent waits. */
export async function until<T>(get: () => T | Promise<T>, ok: (v: T) => boolean, ms = 3000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
}
