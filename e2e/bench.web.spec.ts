// Benchmark end to end (issue 8): from the Benchmark page, a small THROUGHPUT vs LOW_LATENCY sweep
// on the bundled simulator (the web shell restarts it with each profile), with progress, the
// comparison chart, the winners, the saved run and an export. A screenshot lands in
// test-results/screens/bench.png.
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from './fixtures';

const repo = fileURLToPath(new URL('..', import.meta.url));
const screens = join(repo, 'test-results', 'screens');
mkdirSync(screens, { recursive: true });

test.use({
  panelEnv: {
    // Fast simulated startup; no nvidia-smi: the sweep records the simulated GPU.
    VLLM_SIM_SPEED: '20',
    VLLM_SIM_GPUS: 'H100-80GB',
    VLLM_PANEL_NVIDIA_SMI: '/nonexistent/nvidia-smi',
  },
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

test('a two-profile sweep from the UI shows progress, the comparison chart and the winners', async ({ page, panel }) => {
  test.setTimeout(120_000);
  const port = await freePort();
  await panel.open(page);
  await page.getByTestId('nav-bench').click();
  await expect(page.getByTestId('page-bench')).toBeVisible();
  await expect(page.getByTestId('bench-empty')).toBeVisible();

  // THROUGHPUT and LOW_LATENCY are ticked by default.
  await expect(page.getByTestId('bench-profile-throughput')).toBeChecked();
  await expect(page.getByTestId('bench-profile-low-latency')).toBeChecked();
  await page.getByTestId('bench-input-port').fill(String(port));
  await page.getByTestId('bench-input-levels').fill('1,4');
  await page.getByTestId('bench-input-requests').fill('8');
  await page.getByTestId('bench-input-promptTokens').fill('64');
  await page.getByTestId('bench-input-outputTokens').fill('16-32');
  await page.getByTestId('bench-input-name').fill('e2e sweep');

  await expect(page.getByTestId('bench-stop')).toBeDisabled();
  await page.getByTestId('bench-run').click();
  const progress = page.getByTestId('bench-progress');
  await expect(progress).toBeVisible();
  await expect(page.getByTestId('bench-run')).toBeDisabled();
  await expect(page.getByTestId('bench-stop')).toBeEnabled();

  // Done: the saved result with a curve per profile (a point per level) and a winner card per objective.
  const results = page.getByTestId('bench-results');
  await expect(results).toHaveAttribute('data-status', 'complete', { timeout: 90_000 });
  await expect(progress).toHaveCount(0);
  const chart = page.getByTestId('bench-chart');
  await expect(chart).toHaveAttribute('data-series', '2');
  await expect(chart).toHaveAttribute('data-points', '4');
  await expect(chart.locator('svg.recharts-surface[role="application"]')).toBeVisible();
  await expect(chart.locator('.recharts-scatter-symbol')).toHaveCount(4);
  await expect(chart.locator('.recharts-legend-item')).toHaveText(['THROUGHPUT', 'LOW_LATENCY']);
  for (const o of ['max-output-tps', 'min-p50-itl', 'min-p90-stall', 'min-p95-ttft', 'max-goodput']) {
    await expect(page.getByTestId(`bench-winner-${o}`)).toBeVisible();
  }
  await expect(page.getByTestId('bench-table').locator('tbody tr')).toHaveCount(4);
  await expect(page.getByTestId('bench-env')).toContainText('H100-80GB (simulated)');
  await page.screenshot({ path: join(screens, 'bench.png'), fullPage: true });

  // Switching the latency axis redraws the same curves.
  await chart.getByText('TTFT p95').click();
  await expect(chart.locator('.recharts-scatter-symbol')).toHaveCount(4);

  // The run is saved and listed; exporting it downloads a Markdown report.
  await expect(page.getByTestId('bench-saved').getByText('e2e sweep')).toBeVisible();
  const download = page.waitForEvent('download');
  await page.getByTestId('bench-saved').getByRole('button', { name: 'Markdown' }).first().click();
  expect((await download).suggestedFilename()).toMatch(/^vllm-bench-\d{8}-\d{6}-[0-9a-f]{4}\.md$/);
});
