/** Types for electron-binary.mjs. */
export function platformExecutable(platform: string): string;
export function findElectronBinary(opts?: {
  root?: string;
  env?: Record<string, string | undefined>;
  platform?: string;
  exists?: (p: string) => boolean;
  read?: (p: string) => string;
}): { path: string; reason?: undefined } | { path: undefined; reason: string };
