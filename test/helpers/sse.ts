/**
 * A GraphQL subscription over SSE (POST `Accept: text/event-stream`, yoga's distinct-connections mode) that
 * collects the first `count` payloads, for tests. `onOpen` runs once the stream is open, `onMessage` after
 * each payload arrives (with how many have).
 */
export async function collectSse<T>(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  count: number,
  onOpen?: () => Promise<void> | void,
  timeoutMs = 10_000,
  onMessage?: (received: number) => Promise<void> | void,
): Promise<Array<{ data?: T; errors?: unknown }>> {
  const controller = new AbortController();
  const deadline = setTimeout(() => controller.abort(), timeoutMs);
  const received: Array<{ data?: T; errors?: unknown }> = [];
  try {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query, variables }),
      signal: controller.signal,
    });
    if (response.status !== 200) throw new Error(`subscription answered ${response.status}`);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    await onOpen?.();
    while (received.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = frame
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trim())
          .join('\n');
        if (!data) continue;
        received.push(JSON.parse(data) as { data?: T; errors?: unknown });
        if (received.length < count) await onMessage?.(received.length);
      }
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    clearTimeout(deadline);
    controller.abort();
  }
  return received;
}
