/**
 * The token the web page and the playground send (browser only). Two sources, same for both pages:
 * - a token or API key the user pasted into the page's sign-in form, kept in `sessionStorage`
 *   (this tab only, gone when it closes);
 * - the development token the api puts into the page as `<meta name="docpipe-dev-token">` —
 *   only with NODE_ENV=development, only for requests from this machine to a loopback host name.
 * A pasted token wins: it is what the user chose in this tab.
 */

/** The meta tag's name (server/web-assets.ts `DEV_TOKEN_META`). */
export const DEV_TOKEN_META = 'docpipe-dev-token';
/** The sessionStorage entry shared by the web page and the playground. */
export const TOKEN_STORAGE_KEY = 'docpipe.token';

export type TokenSource = 'pasted' | 'development';

export interface PageToken {
  token: string;
  source: TokenSource;
}

/** The pasted token, else the development token, else null. */
export function pageToken(): PageToken | null {
  const pasted = storedToken();
  if (pasted) return { token: pasted, source: 'pasted' };
  const dev = developmentToken();
  return dev ? { token: dev, source: 'development' } : null;
}

/** The development token from the page's meta tag, if the api put one there. */
export function developmentToken(): string | null {
  const meta = document.querySelector<HTMLMetaElement>(`meta[name="${DEV_TOKEN_META}"]`);
  return meta?.content.trim() || null;
}

/** Remembers a pasted token for this tab. */
export function storeToken(token: string): void {
  try {
    sessionStorage.setItem(TOKEN_STORAGE_KEY, token);
  } catch {
    // Storage disabled (some privacy modes): the token then lasts until the page reloads.
  }
}

/** Forgets the pasted token. */
export function forgetToken(): void {
  try {
    sessionStorage.removeItem(TOKEN_STORAGE_KEY);
  } catch {
    // nothing stored
  }
}

function storedToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_STORAGE_KEY)?.trim() || null;
  } catch {
    return null;
  }
}
