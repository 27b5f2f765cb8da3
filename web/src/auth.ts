/**
 * The client API key, kept in this tab's sessionStorage only: never in localStorage or a cookie, so it is
 * gone when the tab closes and no other tab or request to the server carries it by itself.
 */
const STORAGE_KEY = 'mailgraph.apiKey';

export function storedKey(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function storeKey(key: string): void {
  try {
    sessionStorage.setItem(STORAGE_KEY, key);
  } catch {
    // Storage refused (private mode quotas): the key still works until the page reloads.
  }
}

export function forgetKey(): void {
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // Nothing stored.
  }
}
