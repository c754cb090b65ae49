// Chat end to end (issue 7): the web shell in Chromium chats with the simulator — the server the
// panel launched (the default target) and a separately started one behind an API key (the custom
// target): think on/off, stop mid-stream (checked on the server's own metrics), side by side, the
// thinking budget, and "Copy as curl" with the key redacted.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

const repo = fileURLToPath(new URL('..', import.meta.url));
const screens = join(repo, 'test-results', 'screens');
mkdirSync(screens, { recursive: true });
const MODEL = 'nvidia/NVIDIA-Nemotron-Nano-12B-v2';
const KEY = 'e2e-secret-key-123';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Sum of a Prometheus metric's samples on the simulator. */
async function metric(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  let sum = 0;
  for (const m of text.matchAll(/^([a-z_:]+)\{[^}]*\} ([0-9.e+-]+)$/gm)) if (m[1] === name) sum += Number(m[2]);
  return sum;
}

async function openChat(page: Page) {
  await page.getByTestId('nav-chat').click();
  await expect(page.getByTestId('page-chat')).toBeVisible();
}

async function useCustomTarget(page: Page, url: string) {
  // The radio reflects the store's target, which updates after the click is handled.
  await page.getByTestId('chat-target-custom').click();
  await expect(page.getByTestId('chat-target-custom')).toBeChecked();
  await page.getByTestId('chat-target-url').fill(url);
  await page.getByTestId('chat-target-key').fill(KEY);
  await page.getByTestId('chat-target-save').click();
  await expect(page.getByTestId('chat-target-summary')).toContainText('key stored');
  await expect(page.getByTestId('chat-target-key')).toHaveCount(0);
  // The web shell has no keychain: it says the key lives in memory for this session.
  await expect(page.getByTestId('chat-key-note')).toContainText('memory for this session only');
}

async function send(page: Page, text: string) {
  await page.getByTestId('chat-input').fill(text);
  await page.getByTestId('chat-input').press('Enter');
}

const lastReply = (page: Page) => page.getByTestId('chat-message-assistant').last();

test.describe('a separately started server behind an API key (custom URL)', () => {
  let sim: ChildProcess;
  let base: string;

  test.beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // Real-time decoding on the default simulated A100-40GB (~45 tokens/s for this 12B model):
    // slow enough to stop a reply mid-stream. Its own process group, killed in afterAll.
    sim = spawn(
      process.execPath,
      [join(repo, 'dist', 'sim.js'), 'serve', MODEL, '--port', String(port), '--max-model-len', '8192', '--api-key', KEY],
      {
        cwd: repo,
        detached: true,
        stdio: 'ignore',
        env: { ...process.env, VLLM_SIM_SPEED: '1', VLLM_SIM_GPUS: 'A100-40GB' },
      },
    );
    const until = Date.now() + 30_000;
    for (;;) {
      try {
        if ((await fetch(`${base}/health`)).status === 200) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > until) throw new Error('simulator did not become ready');
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  test.afterAll(() => {
    try {
      if (sim.pid) process.kill(-sim.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  });

  test('think on, then off: reasoning in a Thinking block, stats, the no-parser warning once', async ({ page, panel }) => {
    test.setTimeout(60_000);
    await panel.open(page);
    await openChat(page);
    await useCustomTarget(page, base);

    await send(page, 'Explain the kangaroo migration');
    const first = lastReply(page);
    await expect(first).toHaveAttribute('data-status', 'done', { timeout: 20_000 });
    await expect(first.getByTestId('chat-thinking')).toContainText('Okay, the user asks about the');
    await expect(first.getByTestId('chat-answer')).toContainText('Here is a');
    await expect(first.getByTestId('chat-answer')).not.toContainText('think>');
    await expect(first.getByTestId('chat-stats')).toContainText('TTFT');
    await expect(first.locator('[data-stat="reasoning"]')).toHaveText(/reasoning [1-9]\d*/);
    await expect(first.locator('[data-stat="finish"]')).toHaveText('finish stop');
    // No reasoning parser on this server: the panel split the reply itself and says so.
    await expect(page.getByTestId('chat-warning')).toContainText('no separate reasoning field');
    await expect(page.getByTestId('chat-list-item')).toHaveCount(1);

    await page.getByTestId('chat-think-toggle').click();
    await expect(page.getByTestId('chat-think-toggle')).toHaveAttribute('aria-checked', 'false');
    // Greedy is the recommendation without reasoning (model card).
    await expect(page.getByTestId('chat-sampling-temperature')).toHaveValue('0');
    await send(page, 'Name a marsupial');
    const second = lastReply(page);
    await expect(second).toHaveAttribute('data-status', 'done', { timeout: 20_000 });
    await expect(second.getByTestId('chat-thinking')).toHaveCount(0);
    await expect(second.getByTestId('chat-answer')).toContainText('Here is a');
    await expect(second.locator('[data-stat="reasoning"]')).toHaveText('reasoning 0');
    await expect(page.getByTestId('chat-message-assistant')).toHaveCount(2);

    // Copy as curl: the request as sent, the key redacted unless asked for.
    await second.getByTestId('chat-copy-curl').click();
    const curl = page.getByTestId('chat-curl-text');
    await expect(curl).toContainText(`${base}/v1/chat/completions`);
    await expect(curl).toContainText('"content":"/no_think"');
    await expect(curl).toContainText('Authorization: Bearer $VLLM_API_KEY');
    await expect(curl).not.toContainText(KEY);
    await page.getByTestId('chat-curl-reveal').click();
    await expect(curl).toContainText(`Authorization: Bearer ${KEY}`);
    await page.screenshot({ path: join(screens, 'chat-think-no-think.png') });
  });

  test('Stop mid-stream ends the reply and the server stops generating', async ({ page, panel }) => {
    test.setTimeout(60_000);
    await panel.open(page);
    await openChat(page);
    await useCustomTarget(page, base);
    await send(page, 'Tell me a long story about the platypus and the echidna');
    const reply = lastReply(page);
    await expect(page.getByTestId('chat-stop')).toBeVisible();
    await expect(reply.getByTestId('chat-thinking')).toContainText('Okay');
    expect(await metric(base, 'vllm:num_requests_running')).toBe(1);
    await page.getByTestId('chat-stop').click();
    await expect(reply).toHaveAttribute('data-status', 'aborted');
    await expect(reply.locator('[data-stat="finish"]')).toHaveText('finish abort');
    await expect(page.getByTestId('chat-send')).toBeVisible();
    await expect.poll(() => metric(base, 'vllm:num_requests_running'), { timeout: 3000 }).toBe(0);
  });

  test('side by side: one prompt, /think and /no_think at once, compared', async ({ page, panel }) => {
    test.setTimeout(60_000);
    await panel.open(page);
    await openChat(page);
    await useCustomTarget(page, base);
    await page.getByTestId('chat-compare').click();
    await expect(page.getByTestId('chat-compare')).toHaveAttribute('aria-pressed', 'true');
    await send(page, 'Compare koalas and sloths');
    const result = page.getByTestId('chat-compare-result');
    const think = result.locator('[data-testid="chat-message-assistant"][data-lane="think"]');
    const noThink = result.locator('[data-testid="chat-message-assistant"][data-lane="no_think"]');
    await expect(think).toHaveAttribute('data-status', 'done', { timeout: 20_000 });
    await expect(noThink).toHaveAttribute('data-status', 'done', { timeout: 20_000 });
    await expect(think.getByTestId('chat-thinking')).toBeVisible();
    await expect(noThink.getByTestId('chat-thinking')).toHaveCount(0);
    await expect(think.getByTestId('chat-answer')).toContainText('Here is a');
    await expect(noThink.getByTestId('chat-answer')).toContainText('Here is a');
    const table = page.getByTestId('chat-compare-table');
    await expect(table.locator('tr', { hasText: 'Reasoning tokens' }).locator('td').nth(1)).toHaveText('0');
    await expect(table.locator('tr', { hasText: 'Reasoning tokens' }).locator('td').first()).toHaveText(/^[1-9]/);
    await expect(table.locator('tr', { hasText: 'Total latency' }).locator('td').first()).toHaveText(/\d+ (ms|s)/);
    await page.screenshot({ path: join(screens, 'chat-side-by-side.png') });
  });

  test('thinking budget: the reasoning stops at the budget and the answer follows', async ({ page, panel }) => {
    test.setTimeout(60_000);
    await panel.open(page);
    await openChat(page);
    await useCustomTarget(page, base);
    await page.getByTestId('chat-budget').check();
    await page.getByTestId('chat-budget-tokens').fill('8');
    await send(page, 'Describe the platypus habitat');
    const reply = lastReply(page);
    await expect(reply).toHaveAttribute('data-status', 'done', { timeout: 20_000 });
    await expect(reply.locator('[data-stat="budget"]')).toHaveText('budget 8 (reached)');
    await expect(reply.getByTestId('chat-thinking')).toContainText('budget reached');
    await expect(reply.getByTestId('chat-answer')).toContainText('Here is a');
    const reasoning = Number((await reply.locator('[data-stat="reasoning"] .chat-stats__value').textContent()) ?? 'NaN');
    expect(reasoning).toBeGreaterThan(0);
    expect(reasoning).toBeLessThanOrEqual(8);
  });
});

test.describe('the server the panel launched (default target)', () => {
  test.use({ panelEnv: { VLLM_SIM_SPEED: '20' } });

  test('start the simulator, then chat with it without configuring anything', async ({ page, panel }) => {
    test.setTimeout(90_000);
    await panel.open(page);
    await expect(page.getByTestId('server-start')).not.toHaveAttribute('aria-disabled', 'true');
    await openChat(page);
    await expect(page.getByTestId('chat-launched-status')).toHaveText('not running');
    await expect(page.getByTestId('chat-send')).toHaveAttribute('aria-disabled', 'true');
    await page.getByTestId('server-start').click();
    await expect(page.getByTestId('server-status')).toHaveText('ready', { timeout: 40_000 });
    await expect(page.getByTestId('chat-launched-status')).toHaveText(/^http:\/\/127\.0\.0\.1:\d+$/);
    await send(page, 'Hello there');
    const reply = lastReply(page);
    await expect(reply).toHaveAttribute('data-status', 'done', { timeout: 20_000 });
    await expect(reply.getByTestId('chat-thinking')).toBeVisible();
    await expect(reply.getByTestId('chat-answer')).not.toBeEmpty();
    await page.getByTestId('server-stop').click();
    await expect(page.getByTestId('server-status')).toHaveText(/stopped|idle/, { timeout: 40_000 });
  });
});
