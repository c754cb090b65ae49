import { describe, expect, it } from 'vitest';
import { findChromium, HOW_TO_GET_CHROMIUM } from './chromium.mjs';

const has =
  (...paths: string[]) =>
  (p: string) =>
    paths.includes(p);
const noManaged = async () => undefined;

describe('findChromium', () => {
  it('prefers CHROMIUM_PATH, and fails loudly when it points nowhere', async () => {
    expect(
      await findChromium({
        env: { CHROMIUM_PATH: '/opt/chrome' },
        exists: has('/opt/chrome', '/usr/bin/chromium'),
        managedPath: noManaged,
      }),
    ).toEqual({
      path: '/opt/chrome',
      source: 'CHROMIUM_PATH',
    });
    const wrong = await findChromium({ env: { CHROMIUM_PATH: '/nope' }, exists: has('/usr/bin/chromium'), managedPath: noManaged });
    expect(wrong.path).toBeUndefined();
    expect(wrong.reason).toContain('/nope');
  });

  it('then the system package, then a Playwright-managed browser', async () => {
    expect(
      (await findChromium({ env: {}, exists: has('/usr/bin/chromium', '/pw/chrome'), managedPath: async () => '/pw/chrome' })).path,
    ).toBe('/usr/bin/chromium');
    expect(await findChromium({ env: {}, exists: has('/pw/chrome'), managedPath: async () => '/pw/chrome' })).toEqual({
      path: '/pw/chrome',
      source: 'Playwright-managed',
    });
  });

  it('says how to get one when there is none (a managed path that is not installed does not count)', async () => {
    const r = await findChromium({ env: {}, exists: has(), managedPath: async () => '/pw/chrome' });
    expect(r.path).toBeUndefined();
    expect(r.reason).toBe(HOW_TO_GET_CHROMIUM);
    expect(HOW_TO_GET_CHROMIUM).toContain('apt-get install chromium');
    expect(HOW_TO_GET_CHROMIUM).toContain('npx playwright install chromium');
  });
});
