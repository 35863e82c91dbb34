/**
 * Polling for tests: waits until a condition yields a value. An error thrown by the condition fails at once (it is
 * not retried), so a broken check does not wait out the whole timeout.
 */

/** Calls `fn` every `everyMs` until it returns a value other than undefined; throws after `ms`. */
export async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 20_000, everyMs = 100): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
