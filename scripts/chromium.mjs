// Finds a Chromium for the Playwright web project, without downloading anything:
// CHROMIUM_PATH, then the distribution's package (/usr/bin/chromium, chromium-browser), then a
// browser that `npx playwright install chromium` put in Playwright's cache.
//   node scripts/chromium.mjs   → prints the path (exit 0) or how to get one (exit 1)
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export const SYSTEM_CHROMIUM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

export const HOW_TO_GET_CHROMIUM = [
  'No Chromium found for the end-to-end tests. Get one of:',
  '  sudo apt-get install chromium          (Debian/Ubuntu; then /usr/bin/chromium is used)',
  '  npx playwright install chromium        (a browser managed by Playwright, any OS)',
  'or point CHROMIUM_PATH at an existing Chromium/Chrome executable.',
].join('\n');

/** Playwright's own expected browser path (may not be installed); undefined if it cannot say. */
async function playwrightManagedPath() {
  try {
    const { chromium } = await import('playwright-core');
    return chromium.executablePath();
  } catch {
    return undefined;
  }
}

/**
 * @param {{ env?: Record<string, string | undefined>, exists?: (p: string) => boolean,
 *           managedPath?: () => Promise<string | undefined> }} [opts]
 * @returns {Promise<{ path: string, source: string } | { path: undefined, reason: string }>}
 */
export async function findChromium(opts = {}) {
  const { env = process.env, exists = existsSync, managedPath = playwrightManagedPath } = opts;
  if (env.CHROMIUM_PATH) {
    // An explicit choice that is wrong is an error, not a reason to quietly use something else.
    if (exists(env.CHROMIUM_PATH)) return { path: env.CHROMIUM_PATH, source: 'CHROMIUM_PATH' };
    return { path: undefined, reason: `CHROMIUM_PATH is set to ${env.CHROMIUM_PATH}, which does not exist.\n${HOW_TO_GET_CHROMIUM}` };
  }
  for (const p of SYSTEM_CHROMIUM_PATHS) if (exists(p)) return { path: p, source: 'system package' };
  const managed = await managedPath();
  if (managed && exists(managed)) return { path: managed, source: 'Playwright-managed' };
  return { path: undefined, reason: HOW_TO_GET_CHROMIUM };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const found = await findChromium();
  if (found.path) {
    console.log(found.path);
  } else {
    console.error(found.reason);
    process.exit(1);
  }
}
