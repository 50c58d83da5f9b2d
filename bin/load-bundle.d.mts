/** Types of bin/load-bundle.mjs (plain JavaScript: the launcher runs without tsx). */
export function cacheFileOf(file: string, command: string | undefined): string;
export function loadBundle(
  file: string,
  command: string | undefined,
): { exports: Record<string, (...args: any[]) => any>; saveCache(): void; cacheUsed: boolean };
