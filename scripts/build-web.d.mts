/** Builds dist/www with Vite; with `ifStale`, only when its sources changed. Resolves true when it built. */
export function buildWeb(options?: { ifStale?: boolean; quiet?: boolean }): Promise<boolean>;
