/** A read's failure as the server put it: each entry of `errors[]` with its code, or the network's. */
import type { CombinedError } from '@urql/core';

export function errorLines(error: CombinedError | undefined): string[] {
  if (!error) return [];
  if (error.graphQLErrors.length > 0) {
    // A list whose items fail alike (each recipient's history, say) is one line with its count.
    const counts = new Map<string, number>();
    for (const entry of error.graphQLErrors) {
      const code = entry.extensions?.code;
      const line = typeof code === 'string' ? `${entry.message} (${code})` : entry.message;
      counts.set(line, (counts.get(line) ?? 0) + 1);
    }
    return [...counts].map(([line, count]) => (count > 1 ? `${line}, ${count} times` : line));
  }
  return [
    error.networkError ? `The server could not be reached: ${error.networkError.message}` : error.message,
  ];
}

export function ErrorList({ error }: { error: CombinedError | undefined }) {
  const lines = errorLines(error);
  if (lines.length === 0) return null;
  return (
    <div role="alert" class="error-box">
      {lines.map((line) => (
        <p key={line}>{line}</p>
      ))}
    </div>
  );
}
