/** Types for start.mjs (imported by its test). */
export const EARLY_EXIT_MS: number;
export function desktopAvailability(opts?: {
  platform?: string;
  env?: Record<string, string | undefined>;
  root?: string;
  exists?: (p: string) => boolean;
  findBinary?: () => { path: string; reason?: undefined } | { path: undefined; reason: string };
}): { reason: string; binary?: undefined } | { reason: undefined; binary: string };
