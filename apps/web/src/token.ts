// The page does not sign anyone in (the member system does): it holds a bearer token for this tab.
// sessionStorage, not localStorage, so the token goes with the tab and is not left on the machine.

export interface Claims {
  sub?: string;
  role?: string;
  exp?: number;
}

/**
 * `#token=<jwt>` (the link `npm start` prints): stored under `key` and removed from the address bar
 * at once, so it is neither bookmarked nor left in the history. A fragment is never sent to a server.
 */
export function takeTokenFromFragment(key: string): void {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get('token');
  if (!token) return;
  storeToken(key, token);
  history.replaceState(null, '', `${location.pathname}${location.search}`);
}

export function storedToken(key: string): string | null {
  return sessionStorage.getItem(key);
}

export function storeToken(key: string, token: string): void {
  const trimmed = token.trim().replace(/^Bearer\s+/i, '');
  if (trimmed) sessionStorage.setItem(key, trimmed);
  else sessionStorage.removeItem(key);
}

/** The token's claims, read without verifying (the API verifies): only to say who the page acts as. */
export function claimsOf(token: string): Claims | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const claims: unknown = JSON.parse(json);
    return typeof claims === 'object' && claims !== null ? (claims as Claims) : null;
  } catch {
    return null;
  }
}
