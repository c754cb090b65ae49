// The web shell end to end in a real Chromium: token gate, Origin check, navigation, theme
// persistence, and the README screenshot (docs/screenshot.png).
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

const repo = fileURLToPath(new URL('..', import.meta.url));
const PAGE_IDS = ['launch', 'logs', 'metrics', 'chat', 'bench'] as const;

/** Opens a WebSocket to the panel from inside `page` and reports how it ended and what it got. */
function probeSocket(page: Page, wsUrl: string): Promise<{ code: number; messages: string[] }> {
  return page.evaluate(
    (url) =>
      new Promise<{ code: number; messages: string[] }>((resolve) => {
        const messages: string[] = [];
        const ws = new WebSocket(url);
        ws.onmessage = (e) => {
          messages.push(String(e.data));
          // The hello is enough to prove the socket was accepted.
          ws.close(1000);
        };
        ws.onclose = (e) => resolve({ code: e.code, messages });
      }),
    wsUrl,
  );
}

test('opens with the token: app frame, clean URL, HttpOnly cookie, no CSP violations', async ({ page, panel, context }) => {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  await panel.open(page);
  await expect(page.getByTestId('app-header')).toBeVisible();
  await expect(page.getByTestId('status-bar')).toBeVisible();
  // The core answered over the WebSocket: the status bar shows what app:info reports.
  await expect(page.getByTestId('app-shell')).toContainText('web');
  // The token left the address bar for an HttpOnly cookie the page's scripts cannot read.
  expect(page.url()).toBe(`${panel.baseUrl}/`);
  const cookies = await context.cookies(panel.baseUrl);
  const cookie = cookies.find((c) => c.value === panel.token);
  expect(cookie, 'token cookie').toBeDefined();
  expect(cookie?.httpOnly).toBe(true);
  expect(cookie?.sameSite).toBe('Strict');
  expect(await page.evaluate(() => document.cookie)).not.toContain(panel.token);
  expect(problems).toEqual([]);
});

test('without the token: 401 and no app', async ({ page, panel }) => {
  const response = await page.goto(`${panel.baseUrl}/`);
  expect(response?.status()).toBe(401);
  await expect(page.locator('body')).toContainText('URL printed in the terminal');
  await expect(page.getByTestId('app-root')).toHaveCount(0);
  expect(await page.content()).not.toContain('<script');

  const wrong = await page.goto(`${panel.baseUrl}/?token=${'0'.repeat(64)}`);
  expect(wrong?.status()).toBe(401);
  await expect(page.getByTestId('app-root')).toHaveCount(0);
});

test.describe('WebSocket Origin check', () => {
  let evil: Server;
  let evilOrigin: string;
  test.beforeAll(async () => {
    // Another web app on this machine (another port of 127.0.0.1). Cookies ignore ports, so its
    // pages' WebSocket handshakes carry the panel's cookie: only the Origin check stops them.
    evil = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!doctype html><title>other app</title><p>other app</p>');
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
    evilOrigin = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
  });
  test.afterAll(async () => {
    await new Promise((r) => evil.close(r));
  });

  test('a page from another origin is refused (4403) before any data; the panel itself is accepted', async ({ page, panel, context }) => {
    await panel.open(page);
    const wsUrl = `${panel.baseUrl.replace(/^http/, 'ws')}/api/ws`;

    const ours = await probeSocket(page, wsUrl);
    expect(ours.messages.length).toBe(1);
    expect(JSON.parse(ours.messages[0]!)).toMatchObject({ t: 'hello' });

    const other = await context.newPage();
    await other.goto(evilOrigin);
    const refused = await probeSocket(other, wsUrl);
    expect(refused.code).toBe(4403);
    expect(refused.messages).toEqual([]);
  });
});

test('navigates every page', async ({ page, panel }) => {
  await panel.open(page);
  await expect(page.getByTestId('page-launch')).toBeVisible();
  // Launch is the start page; visit the others first so every click changes the page.
  for (const id of [...PAGE_IDS.slice(1), PAGE_IDS[0]]) {
    await page.getByTestId(`nav-${id}`).click();
    await expect(page.getByTestId(`page-${id}`)).toBeVisible();
    await expect(page).toHaveURL(new RegExp(`#/${id}$`));
    for (const other of PAGE_IDS.filter((p) => p !== id)) await expect(page.getByTestId(`page-${other}`)).toBeHidden();
  }
  // A reload keeps the page (hash routing over the SPA fallback).
  await page.getByTestId('nav-bench').click();
  await page.reload();
  await expect(page.getByTestId('page-bench')).toBeVisible();
});

test('theme switch is saved by the core and survives a reload and a fresh browser', async ({ page, panel, browser }) => {
  await panel.open(page);
  const html = page.locator('html');
  const toggle = page.getByTestId('theme-toggle');
  // system → dark → light (the cycle is the renderer's); click until the setting is light.
  for (let i = 0; i < 3 && (await toggle.getAttribute('data-theme-setting')) !== 'light'; i++) {
    await toggle.click();
  }
  await expect(toggle).toHaveAttribute('data-theme-setting', 'light');
  await expect(html).toHaveAttribute('data-theme', 'light');
  await expect
    .poll(() => JSON.parse(readFileSync(join(panel.home, 'settings.json'), 'utf8')).theme as string, { message: 'settings.json' })
    .toBe('light');

  await page.reload();
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'open');
  await expect(html).toHaveAttribute('data-theme', 'light');

  // A new browser context has no localStorage cache: the theme comes from the core's settings.
  const fresh = await browser.newContext({ colorScheme: 'dark' });
  try {
    const p2 = await fresh.newPage();
    await panel.open(p2);
    await expect(p2.getByTestId('theme-toggle')).toHaveAttribute('data-theme-setting', 'light');
    await expect(p2.locator('html')).toHaveAttribute('data-theme', 'light');
  } finally {
    await fresh.close();
  }

  await toggle.click(); // light → system, which follows the (dark) colour scheme
  await expect(html).toHaveAttribute('data-theme', 'dark');
});

test('README screenshot (docs/screenshot.png, 1280x800)', async ({ page, panel }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await panel.open(page);
  await page.getByTestId('nav-launch').click();
  await expect(page.getByTestId('page-launch')).toBeVisible();
  const file = join(repo, 'docs', 'screenshot.png');
  await page.screenshot({ path: file, animations: 'disabled' });
  const png = readFileSync(file);
  // PNG signature, then the IHDR chunk's width and height (big-endian).
  expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
  expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1280, 800]);
});
