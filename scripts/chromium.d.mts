/** Types for chromium.mjs (imported by its test). */
export const SYSTEM_CHROMIUM_PATHS: string[];
export const HOW_TO_GET_CHROMIUM: string;
export function findChromium(opts?: {
  env?: Record<string, string | undefined>;
  exists?: (p: string) => boolean;
  managedPath?: () => Promise<string | undefined>;
}): Promise<{ path: string; source: string; reason?: undefined } | { path: undefined; reason: string }>;
