// Server lifecycle end to end (issue 5): the web shell in Chromium drives the bundled simulator
// (no vLLM is installed on the test machines, so runtime detection picks it) through start →
// phases → ready → stop, a planner-predicted failure with its remedy applied, and the log viewer
// under a flood. Screenshots land in test-results/screens/ for a look at the UI.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

const repo = fileURLToPath(new URL('..', import.meta.url));
const screens = join(repo, 'test-results', 'screens');
mkdirSync(screens, { recursive: true });

/** The simulator divides every startup duration by this: ready in about two seconds. */
const SIM_SPEED = '20';
/** Generous for a loaded 2-core machine: the simulator itself needs ~2 s at SIM_SPEED. */
const READY_TIMEOUT = 30_000;

const shot = (page: Page, name: string) => page.screenshot({ path: join(screens, `${name}.png`), fullPage: false });

/** Cycles the theme toggle until the page is in `theme` (system → dark → light → …). */
async function theme(page: Page, want: 'dark' | 'light') {
  for (let i = 0; i < 3; i++) {
    if ((await page.locator('html').getAttribute('data-theme')) === want) return;
    await page.getByTestId('theme-toggle').click();
  }
  await expect(page.locator('html')).toHaveAttribute('data-theme', want);
}

/** Records every phase the start view shows as current, in order (a MutationObserver in the page). */
async function recordPhases(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const w = window as unknown as { __phases: string[] };
    w.__phases = [];
    const push = () => {
      const p = document.querySelector('[data-testid="phase-current"]')?.getAttribute('data-phase') ?? '';
      if (p && w.__phases.at(-1) !== p) w.__phases.push(p);
    };
    new MutationObserver(push).observe(document.body, {
      subtree: true,
      attributes: true,
      attributeFilter: ['data-phase'],
      childList: true,
    });
    push();
  });
  return () => page.evaluate(() => (window as unknown as { __phases: string[] }).__phases);
}

async function waitForProfiles(page: Page) {
  // Start stays aria-disabled until the profiles (and the connection) are there.
  await expect(page.getByTestId('server-start')).not.toHaveAttribute('aria-disabled', 'true');
}

test.describe('start and stop with the simulator', () => {
  test.use({ panelEnv: { VLLM_SIM_SPEED: SIM_SPEED } });

  test('start → phases advance → ready with facts → stop reports no survivors', async ({ page, panel }) => {
    test.setTimeout(90_000);
    await panel.open(page);
    await expect(page.getByTestId('server-status')).toHaveText('idle');
    await expect(page.getByTestId('server-idle')).toBeVisible();
    await waitForProfiles(page);
    const phases = await recordPhases(page);

    // From the keyboard: the header's Start is a real, focusable button.
    await page.getByTestId('server-start').focus();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('server-status')).toHaveText(/preflight|starting|ready/);
    await expect(page.getByTestId('server-elapsed')).toBeVisible();
    await expect(page.getByTestId('server-status')).toHaveText('ready', { timeout: READY_TIMEOUT });

    // The stepper went through the phases in order and ended with every reached one done.
    const seen = await phases();
    expect(seen.length, `phases seen: ${seen.join(' → ')}`).toBeGreaterThanOrEqual(3);
    const order = [
      'resolve-model',
      'download',
      'load-weights',
      'compile',
      'memory-profiling',
      'kv-cache',
      'cuda-graphs',
      'api-server',
      'ready',
    ];
    const idx = seen.map((p) => order.indexOf(p));
    expect(idx).toEqual([...idx].sort((a, b) => a - b));
    for (const p of ['resolve-model', 'load-weights', 'kv-cache', 'cuda-graphs', 'ready']) {
      await expect(page.getByTestId(`phase-${p}`)).toHaveAttribute('data-state', 'done');
    }
    // /health can answer before the panel has read the "Starting vLLM API server" line off a
    // busy pipe; the stepper then shows that phase as skipped, which is the truth.
    await expect(page.getByTestId('phase-api-server')).toHaveAttribute('data-state', /^(done|skipped)$/);
    await expect(page.getByTestId('phase-current')).toHaveText(/Ready/);

    // Facts vLLM printed, and the planner's prediction next to them.
    await expect(page.getByTestId('fact-vllmVersion')).toContainText(/\d+\.\d+/);
    await expect(page.getByTestId('fact-architecture')).toContainText('NemotronH');
    await expect(page.getByTestId('fact-gpuKvCacheTokens')).toContainText('tokens');
    await expect(page.getByTestId('fact-maxConcurrency')).toContainText('×');
    await expect(page.getByTestId('fact-weights')).toContainText('GiB');
    await expect(page.getByTestId('fact-readyUrl')).toContainText('http://');
    await expect(page.getByTestId('server-compare')).toBeVisible();
    await expect(page.getByTestId('compare-gpuKvCacheTokens')).toContainText(/\d/);
    await shot(page, 'launch-ready-dark');

    // The header controls are on every page.
    await page.getByTestId('nav-logs').click();
    await expect(page.getByTestId('log-line').first()).toBeVisible();
    await expect(page.getByTestId('server-status')).toHaveText('ready');
    await page.getByTestId('nav-launch').click();

    await page.getByTestId('server-stop').click();
    await expect(page.getByTestId('server-status')).toHaveText('stopped', { timeout: 30_000 });
    const report = page.getByTestId('stop-report');
    await expect(report).toBeVisible();
    await expect(report).toHaveAttribute('data-survivors', '0');
    await expect(report).toContainText('none survived');
    await expect(report).toContainText(/Stopped \d+ process/);
    await shot(page, 'launch-stopped-dark');

    await theme(page, 'light');
    await shot(page, 'launch-stopped-light');
  });
});

test.describe('planner-predicted failure', () => {
  // A 27.5 GiB card with LONG_CONTEXT's flags: the 12B model's weights fit, a 131,072-token
  // context does not (the planner and the simulator agree: "fits up to 88,672 tokens").
  test.use({ panelEnv: { VLLM_SIM_SPEED: SIM_SPEED, VLLM_SIM_GPUS: '27.5GiB' } });

  test('confirm → start anyway → failure card with diagnosis → apply remedy → restart → ready', async ({ page, panel }) => {
    test.setTimeout(120_000);
    await panel.open(page);
    await waitForProfiles(page);
    await page.getByTestId('profile-select-long-context').click();
    const mml = page.getByTestId('flag-input-max-model-len');
    await mml.fill('131072');
    await mml.blur();

    await page.getByTestId('server-start').click();
    const dialog = page.getByTestId('confirm-dialog');
    await expect(dialog).toBeVisible();
    // Escape cancels (a modal dialog); nothing started.
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    await expect(page.getByTestId('server-status')).toHaveText('idle');
    await page.getByTestId('server-start').click();
    await expect(dialog).toBeVisible();
    await expect(dialog).toHaveAttribute('data-kind', 'planner_predicts_failure');
    await expect(page.getByTestId('confirm-message')).toContainText('131,072');
    await expect(page.getByTestId('confirm-remedy-0')).toBeVisible();
    await shot(page, 'confirm-dialog-dark');
    await page.getByTestId('confirm-start-anyway').click();
    await expect(dialog).toBeHidden();

    await expect(page.getByTestId('server-status')).toHaveText('failed', { timeout: READY_TIMEOUT });
    const card = page.getByTestId('failure-card');
    await expect(card).toBeVisible();
    await expect(card).toHaveAttribute('data-kind', 'kv_cache_too_small_for_max_model_len');
    await expect(page.getByTestId('failure-message')).toContainText('max seq len');
    await expect(page.getByTestId('failure-numbers')).toContainText('131,072');
    await expect(page.getByTestId('phase-kv-cache')).toHaveAttribute('data-state', 'failed');

    await page.getByTestId('save-bundle').click();
    await expect(page.getByTestId('bundle-path')).toContainText('.tar.gz');
    await card.scrollIntoViewIfNeeded();
    await shot(page, 'failure-card-dark');
    await theme(page, 'light');
    await shot(page, 'failure-card-light');
    await theme(page, 'dark');

    // "Show in log" opens the Logs page at the diagnosed line.
    await page.getByTestId('failure-log-link').click();
    await expect(page.getByTestId('page-logs')).toBeVisible();
    await expect(page.locator('.log-line--flash')).toContainText('max seq len');
    await expect(page.locator('.log-line--flash')).toHaveAttribute('data-level', /error|none/);
    await page.getByTestId('nav-launch').click();

    // One click: the remedy lowers max-model-len in the profile editor …
    const remedy = page.getByTestId('remedy-0');
    await expect(remedy).toContainText('Apply');
    await remedy.click();
    await expect(remedy).toContainText('Applied');
    const fixed = Number(await mml.inputValue());
    expect(fixed).toBeGreaterThan(60_000);
    expect(fixed).toBeLessThan(131_072);

    // … and the restart uses it.
    await page.getByTestId('restart-with-fix').click();
    await expect(page.getByTestId('server-status')).toHaveText('ready', { timeout: READY_TIMEOUT });
    await expect(page.getByTestId('failure-card')).toHaveCount(0);
    await expect(page.getByTestId('fact-maxModelLen')).toHaveText(new RegExp(fixed.toLocaleString('en-US')));

    await page.getByTestId('server-stop').click();
    await expect(page.getByTestId('server-status')).toHaveText('stopped', { timeout: 30_000 });
  });
});

test.describe('log viewer under load', () => {
  test.use({ panelEnv: { VLLM_SIM_SPEED: SIM_SPEED, VLLM_SIM_LOG_FLOOD: '2000' } });

  test('regex search counts matches; level filter hides info lines; invalid regex is a message', async ({ page, panel, context }) => {
    test.setTimeout(90_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await panel.open(page);
    await waitForProfiles(page);
    await page.getByTestId('server-start').click();
    await expect(page.getByTestId('server-status')).toHaveText('ready', { timeout: READY_TIMEOUT });
    await page.getByTestId('nav-logs').click();
    const viewer = page.getByTestId('log-viewer');
    await expect(viewer).toBeVisible();
    // The flood is running: the line count keeps growing.
    const lines = async () =>
      Number((await page.getByTestId('log-stats').textContent())?.match(/([\d,]+) (?:of [\d,]+ )?lines/)?.[1]?.replace(/,/g, '') ?? 0);
    const before = await lines();
    await expect.poll(lines, { timeout: 10_000 }).toBeGreaterThan(before + 500);
    await expect(viewer).toHaveAttribute('data-follow', 'true');

    // Regex search over the flood.
    await page.getByTestId('log-regex').check();
    await page.getByTestId('log-search').fill('"GET /\\w+ HTTP/1\\.1" 200');
    const count = page.getByTestId('log-match-count');
    await expect.poll(async () => Number((await count.getAttribute('data-count')) || 0), { timeout: 10_000 }).toBeGreaterThan(0);
    await expect(page.locator('[data-testid="log-line"] mark').first()).toBeVisible();
    await page.getByTestId('log-next').click();
    await expect(count).toHaveText(/^[\d,]+ \/ [\d,]+$/);
    await expect(viewer).toHaveAttribute('data-follow', 'false');
    await shot(page, 'logs-search-dark');
    await theme(page, 'light');
    await shot(page, 'logs-search-light');
    await theme(page, 'dark');

    // An invalid regex: an inline message, the page keeps working.
    await page.getByTestId('log-search').fill('GET (unclosed');
    await expect(page.getByTestId('log-search-error')).toContainText('Invalid regex');
    await page.getByTestId('log-search').fill('');
    await expect(page.getByTestId('log-search-error')).toHaveCount(0);

    // Level filter: without info, no info line is rendered (warnings/errors may remain).
    await expect(page.locator('[data-testid="log-line"][data-level="info"]').first()).toBeVisible();
    await page.getByTestId('log-level-info').click();
    await expect(page.getByTestId('log-level-info')).toHaveAttribute('aria-pressed', 'false');
    await expect(page.locator('[data-testid="log-line"][data-level="info"]')).toHaveCount(0);
    await expect(page.locator('[data-testid="log-line"][data-level="none"]')).toHaveCount(0);
    await expect(page.getByTestId('log-stats')).toContainText(' of ');
    await page.getByTestId('log-level-info').click();
    // Process filter: hide the API server's lines.
    await page.getByTestId('log-proc-api').click();
    await expect(page.locator('[data-testid="log-line"][data-proc="api"]')).toHaveCount(0);
    await page.getByTestId('log-proc-api').click();

    // Follow back on: the newest line is in view again; scrolling up with the wheel turns it off.
    await page.getByTestId('log-follow').click();
    await expect(viewer).toHaveAttribute('data-follow', 'true');
    await expect.poll(() => viewer.evaluate((el) => el.scrollHeight - el.clientHeight - el.scrollTop), { timeout: 5_000 }).toBeLessThan(40);
    await shot(page, 'logs-follow-dark');
    await viewer.hover();
    await page.mouse.wheel(0, -600);
    await expect(viewer).toHaveAttribute('data-follow', 'false');

    // Copy: nothing selected, so the lines in view.
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: panel.baseUrl });
    await page.getByTestId('log-copy').click();
    await expect(page.getByTestId('log-copied')).toHaveText(/^Copied \d+ visible lines$/);
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied.split('\n').length).toBeGreaterThan(10);
    expect(copied).toContain('GET /metrics');

    await page.getByTestId('log-save').click();
    await expect(page.getByTestId('log-saved-path')).toContainText('.log');
    await page.getByTestId('server-stop').click();
    await expect(page.getByTestId('server-status')).toHaveText('stopped', { timeout: 30_000 });
    await page.getByTestId('log-clear').click();
    await expect(page.getByTestId('logs-empty')).toBeVisible();
    expect(errors).toEqual([]);
  });
});
