import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

// End-to-end tests. Build first (`node scripts/build.mjs`); `npm test` does it for you.
//   web:      the real web shell (`node dist/cli.js web`, started per test by e2e/fixtures.ts) in
//             Chromium. Runs everywhere, CI included.
//   electron: the desktop app through Playwright's Electron driver; needs the Electron binary
//             (scripts/electron-binary.mjs), so it runs only where one exists.
//
// Chromium: CHROMIUM_PATH, else Debian's /usr/bin/chromium, else a Playwright-managed browser
// (`npx playwright install chromium`). scripts/test.mjs picks one and says how to get one.
const systemChromium = '/usr/bin/chromium';
const chromiumPath = process.env.CHROMIUM_PATH || (existsSync(systemChromium) ? systemChromium : undefined);

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  // One worker: the build machines have 2 cores shared with other jobs, and each test starts its
  // own web shell process.
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: 'list',
  projects: [
    {
      name: 'web',
      testMatch: /.*\.web\.spec\.ts$/,
      use: {
        browserName: 'chromium',
        viewport: { width: 1280, height: 800 },
        colorScheme: 'dark',
        trace: 'retain-on-failure',
        screenshot: 'only-on-failure',
        launchOptions: {
          ...(chromiumPath ? { executablePath: chromiumPath } : {}),
          args: [
            // Root in CI containers: Chromium's OS sandbox needs user namespaces it does not get.
            '--no-sandbox',
            '--disable-gpu',
            '--disable-dev-shm-usage',
            // Nothing may reach the network: no update checks, no sync, no first-run pings.
            '--disable-background-networking',
            '--disable-component-update',
            '--no-first-run',
            '--disable-sync',
          ],
        },
      },
    },
    {
      name: 'electron',
      testMatch: /.*\.electron\.spec\.ts$/,
    },
  ],
});
