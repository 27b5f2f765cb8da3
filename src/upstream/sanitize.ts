/**
 * Provider text made safe to show a client or write to a log: no secret mailgraph sent (a provider may echo
 * a credential back), no control characters or line separators (they forge log lines and confuse
 * terminals), and short.
 */

/** C0 and C1 controls, DEL, and the Unicode line and paragraph separators. */
const CONTROL_RUNS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

export function sanitizeUpstreamText(text: string, secrets: readonly string[], maxLength: number): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)]))
      result = result.split(form).join('****');
  }
  result = result.replace(CONTROL_RUNS, ' ').trim();
  return result.length > maxLength ? `${result.slice(0, maxLength)}…` : result;
}
