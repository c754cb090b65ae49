// Live metrics end to end (issue 6): the web shell in Chromium scrapes the simulator's /metrics —
// once for a server it started (followed automatically) and once for a simulator started here and
// attached by URL — while this test sends chat requests; the tiles and charts fill, and the
// controls (window, pause, CSV and PNG export, synced crosshair) work.
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { type SimRun, startSim } from '../sim/testing/harness';
import { expect, test } from './fixtures';

const MODEL = 'nvidia/NVIDIA-Nemotron-Nano-12B-v2';
/** Screenshots for a look at the dashboard (not compared). */
const screens = join(fileURLToPath(new URL('..', import.meta.url)), 'test-results', 'screens');
mkdirSync(screens, { recursive: true });
/** Startup in about two seconds; answers slow enough that a few requests span several scrapes. */
const SIM_SPEED = '10';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

/** Sends `n` chats (a few at a time) and returns the completion tokens received. */
async function load(baseUrl: string, model: string, n: number): Promise<number> {
  let tokens = 0;
  for (let i = 0; i < n; i += 4) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(4, n - i) }, async (_, j) => {
        const r = await fetch(`${baseUrl}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model, messages: [{ role: 'user', content: `Say something about ${i + j}.` }], max_tokens: 120 }),
        });
        const body = (await r.json()) as { usage?: { completion_tokens: number } };
        return body.usage?.completion_tokens ?? 0;
      }),
    );
    tokens += batch.reduce((a, b) => a + b, 0);
  }
  return tokens;
}

async function tileNumber(page: Page, name: string): Promise<number> {
  const text = (await page.getByTestId(`metrics-tile-${name}-value`).textContent()) ?? '';
  return Number.parseFloat(text.replace(/[^\d.]/g, '')) || 0;
}

const fakeSmi = fileURLToPath(new URL('../scripts/fake-nvidia-smi.mjs', import.meta.url));

test.describe('the launched server is followed', () => {
  // Two idle H100s from the fake nvidia-smi (this machine has no GPU); the simulator is told it
  // has the same two, so the launch (DP=2 over both) starts.
  test.use({
    panelEnv: {
      VLLM_SIM_SPEED: SIM_SPEED,
      VLLM_PANEL_NVIDIA_SMI: fakeSmi,
      FAKE_NVIDIA_SMI_FIXTURE: 'h100x2-idle',
      VLLM_SIM_GPUS: 'H100-80GB:2',
    },
  });

  test('start with the simulator → metrics page scrapes it → chats fill the tiles and charts; ready is annotated', async ({
    page,
    panel,
  }) => {
    test.setTimeout(120_000);
    await panel.open(page);
    await expect(page.getByTestId('server-start')).not.toHaveAttribute('aria-disabled', 'true');
    // Its own port, so a parallel run elsewhere on the machine cannot collide on 8000.
    const port = await freePort();
    await page.getByTestId('flag-search').fill('port');
    const portInput = page.getByTestId('flag-input-port');
    await portInput.fill(String(port));
    await portInput.blur();
    await page.getByTestId('server-start').click();
    await expect(page.getByTestId('server-status')).toHaveText('ready', { timeout: 45_000 });

    await page.getByTestId('nav-metrics').click();
    await expect(page.getByTestId('metrics-status')).toHaveAttribute('data-status', 'up', { timeout: 15_000 });
    await expect(page.getByTestId('metrics-status')).toContainText(`the launched server at http://127.0.0.1:${port}`);
    // The sim logs every scrape like uvicorn does: the page says how to quiet that.
    await expect(page.getByTestId('metrics-tip')).toContainText('--disable-');
    const model =
      ((await page.getByTestId('metrics-status').textContent()) ?? '').match(/every [\d.]+ m?s · ([^·]+) ·/)?.[1]?.trim() ?? MODEL;

    const received = await load(`http://127.0.0.1:${port}`, model, 8);
    expect(received).toBeGreaterThan(0);
    await expect.poll(() => tileNumber(page, 'gen-tps'), { timeout: 15_000 }).toBeGreaterThan(0);
    await expect(page.getByTestId('metrics-tile-ttft-p50-value')).toHaveText(/\d/, { timeout: 15_000 });
    await expect(page.getByTestId('metrics-chart-throughput')).toHaveAttribute('data-empty', 'false');
    await expect(page.getByTestId('metrics-chart-ttft')).toHaveAttribute('data-empty', 'false');
    await expect(page.getByTestId('metrics-annotations')).toContainText('server ready');
    await expect(page.getByTestId('metrics-quantile-note')).toContainText('histogram');
    // GPU telemetry of the selected GPUs on the same timeline.
    for (const c of ['gpu-util', 'gpu-memory', 'gpu-power', 'gpu-temp']) {
      await expect(page.getByTestId(`metrics-chart-${c}`)).toHaveAttribute('data-empty', 'false');
    }
    await expect(page.getByTestId('metrics-chart-gpu-memory')).toContainText('GPU 1');
    await page.getByTestId('metrics-chart-gpu-util').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(screens, 'metrics-launched-gpus-dark.png') });

    await page.getByTestId('server-stop').click();
    await expect(page.getByTestId('metrics-status')).toHaveAttribute('data-status', 'stopped', { timeout: 30_000 });
    await expect(page.getByTestId('metrics-annotations')).toContainText('server stopped');
  });
});

test.describe('attach to a server the panel did not start', () => {
  let sim: SimRun;
  test.beforeAll(async () => {
    test.setTimeout(90_000);
    sim = await startSim(['serve', MODEL, '--max-model-len', '8192'], { env: { VLLM_SIM_SPEED: SIM_SPEED } });
    if (!(await sim.waitReady(60_000))) throw new Error(`simulator not ready:\n${sim.output().slice(-2000)}`);
  });
  test.afterAll(async () => {
    sim?.killGroup('SIGKILL');
    await sim?.exited;
  });

  test('attach by URL → tiles and charts fill under load; window, pause, CSV, PNG and the synced crosshair work', async ({
    page,
    panel,
  }) => {
    test.setTimeout(120_000);
    await panel.open(page);
    await page.getByTestId('nav-metrics').click();
    await expect(page.getByTestId('metrics-empty')).toBeVisible();

    // A wrong URL is reported in the status line (and retried), not thrown.
    const url = page.getByTestId('metrics-attach-url');
    await url.fill(`${sim.baseUrl}/metrics`);
    await page.getByTestId('metrics-attach').click();
    await expect(page.getByTestId('metrics-status')).toHaveAttribute('data-status', 'up', { timeout: 15_000 });
    await expect(page.getByTestId('metrics-status')).toContainText(sim.baseUrl);
    await expect(page.getByTestId('metrics-detach')).toBeVisible();

    const received = await load(sim.baseUrl, MODEL, 12);
    expect(received).toBeGreaterThan(0);
    await expect.poll(() => tileNumber(page, 'gen-tps'), { timeout: 15_000 }).toBeGreaterThan(0);
    for (const t of ['prompt-tps', 'running', 'waiting', 'kv', 'prefix-hit', 'ttft-p50', 'ttft-p95', 'itl-p50']) {
      await expect(page.getByTestId(`metrics-tile-${t}`)).toBeVisible();
    }
    await expect(page.getByTestId('metrics-tile-itl-p50-value')).toHaveText(/\d/, { timeout: 15_000 });
    const chart = page.getByTestId('metrics-chart-throughput');
    await expect(chart).toHaveAttribute('data-empty', 'false');
    await expect.poll(async () => Number(await chart.getAttribute('data-rows'))).toBeGreaterThan(3);
    await expect(page.getByTestId('metrics-annotations')).toContainText(`attached to ${sim.baseUrl}`);
    await page.screenshot({ path: join(screens, 'metrics-attached-dark.png'), fullPage: true });

    // Windows: 5 minutes is pressed and reloaded; the rows stay.
    await page.getByTestId('metrics-window-5').click();
    await expect(page.getByTestId('metrics-window-5')).toHaveAttribute('aria-pressed', 'true');
    await expect(page.getByTestId('metrics-tile-ttft-p50')).toContainText('over');
    await expect(chart).toHaveAttribute('data-empty', 'false');

    // Pause freezes the rows; resume catches up.
    await page.getByTestId('metrics-pause').click();
    await expect(page.getByTestId('metrics-dashboard')).toHaveAttribute('data-paused', 'true');
    const frozenRows = await chart.getAttribute('data-rows');
    await page.waitForTimeout(2500);
    expect(await chart.getAttribute('data-rows')).toBe(frozenRows);
    await page.getByTestId('metrics-pause').click();
    await expect(page.getByTestId('metrics-dashboard')).toHaveAttribute('data-paused', 'false');
    await expect.poll(async () => Number(await chart.getAttribute('data-rows'))).toBeGreaterThan(Number(frozenRows));

    // Hovering one chart shows the crosshair and tooltip on the others (recharts syncId).
    const box = (await chart.locator('.recharts-surface').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.5);
    await expect(page.getByTestId('metrics-chart-ttft').locator('.recharts-tooltip-cursor')).toHaveCount(1);
    await expect(page.getByTestId('metrics-chart-queue').locator('.recharts-tooltip-cursor')).toHaveCount(1);

    // CSV: every series, one row per scrape.
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('metrics-export-csv').click()]);
    expect(csv.suggestedFilename()).toMatch(/^vllm-metrics-.*\.csv$/);
    const text = readFileSync((await csv.path())!, 'utf8');
    const [header, ...lines] = text.trim().split('\n');
    expect(header).toContain('generation_tokens_per_s');
    expect(header).toContain('ttft_p95_s');
    expect(lines.length).toBeGreaterThan(3);
    expect(text).toContain('attached: attached to');

    // PNG: the chart's SVG drawn on a canvas.
    const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('metrics-export-png-throughput').click()]);
    const bytes = readFileSync((await png.path())!);
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(bytes.length).toBeGreaterThan(2000);

    // Detach: back to the empty state, scraping stops.
    await page.getByTestId('metrics-detach').click();
    await expect(page.getByTestId('metrics-empty')).toBeVisible();
    await expect(page.getByTestId('metrics-status')).toHaveAttribute('data-status', 'idle');
  });
});
