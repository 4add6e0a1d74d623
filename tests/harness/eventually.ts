/**
 * Polling for something a server does in the background (a job writing, a
 * checkpoint being taken): `read` every 50 ms until `ok` holds, or fail after
 * `timeoutMs` naming `what` and the last value read.
 */
export async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() - started > timeoutMs) {
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x))}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
