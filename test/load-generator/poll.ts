// Waits for a condition by polling it, never by a fixed sleep.
export async function poll(condition: () => boolean, timeoutMs = 5000, everyMs = 5): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
