// Profiles, the flag editor and the command preview end to end: the web shell runs with the fake
// nvidia-smi (two idle H100s), so the command carries a real GPU selection.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

const fakeSmi = fileURLToPath(new URL('../scripts/fake-nvidia-smi.mjs', import.meta.url));

test.use({ panelEnv: { VLLM_PANEL_NVIDIA_SMI: fakeSmi, FAKE_NVIDIA_SMI_FIXTURE: 'h100x2-idle' } });

/** Runtime detection has answered and the preview is built for it (it changes the program once). */
async function settled(page: Page): Promise<void> {
  await expect(page.getByTestId('command-preview-box')).not.toHaveAttribute('data-runtime', 'pending', { timeout: 30_000 });
  await expect(page.getByTestId('command-preview-box')).toHaveAttribute('data-building', 'false');
}

test('switching profiles changes the values and the command; an invalid value is named; the preview follows edits', async ({
  page,
  panel,
}) => {
  await panel.open(page);
  await settled(page);
  const preview = page.getByTestId('command-preview');

  // THROUGHPUT is the default.
  await expect(page.getByTestId('profile-card-throughput')).toHaveAttribute('data-selected', 'true');
  await expect(page.getByTestId('flag-input-max-num-seqs')).toHaveValue('64');
  // The program is the detected runtime (the bundled simulator here, `vllm` where vLLM is installed).
  await expect(preview).toContainText('serve nvidia/NVIDIA-Nemotron-Nano-12B-v2');
  await expect(preview).toContainText('--max-num-seqs 64');
  await expect(preview).toContainText('CUDA_VISIBLE_DEVICES=0,1');
  await expect(preview).toContainText('--data-parallel-size 2');
  await expect(preview).toContainText('--host 127.0.0.1');

  // Switch to LONG_CONTEXT: the editor and the command change.
  await page.getByTestId('profile-select-long-context').click();
  await expect(page.getByTestId('profile-card-long-context')).toHaveAttribute('data-selected', 'true');
  await expect(page.getByTestId('flag-input-max-model-len')).toHaveValue('65536');
  await expect(page.getByTestId('flag-input-max-num-seqs')).toHaveValue('32');
  await expect(preview).toContainText('--max-model-len 65536');
  await expect(preview).toContainText('--max-num-batched-tokens 8192');

  // An invalid value: the core's error is shown on the field, naming it, and listed under the command.
  await page.getByTestId('flag-input-max-num-seqs').fill('lots');
  await expect(page.getByTestId('flag-error-max-num-seqs').first()).toContainText('max-num-seqs');
  await expect(page.getByTestId('flag-error-max-num-seqs').first()).toContainText('lots');
  await expect(page.getByTestId('flag-input-max-num-seqs')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('command-issues')).toContainText('max-num-seqs');
  await expect(page.getByTestId('profile-dirty')).toBeVisible();

  // A valid value (human-readable too): the error goes, the preview updates.
  await page.getByTestId('flag-input-max-num-seqs').fill('40');
  await expect(page.getByTestId('flag-error-max-num-seqs')).toHaveCount(0);
  await expect(preview).toContainText('--max-num-seqs 40');
  await page.getByTestId('flag-input-max-model-len').fill('48k');
  await expect(preview).toContainText('--max-model-len 48000');
});

test('type-aware inputs, search, reset, only-changed, exposure, and saving an edited built-in as a copy', async ({ page, panel }) => {
  await panel.open(page);
  await settled(page);
  const preview = page.getByTestId('command-preview');
  await page.getByTestId('profile-select-long-context').click();
  await expect(preview).toContainText('--max-model-len 65536');
  await page.getByTestId('flag-input-max-num-seqs').fill('40');
  await expect(preview).toContainText('--max-num-seqs 40');

  // A choice flag through its select, a bool through its checkbox.
  await page.getByTestId('flag-input-kv-cache-dtype').selectOption('fp8_e4m3');
  await expect(preview).toContainText('--kv-cache-dtype fp8_e4m3');
  await page.getByTestId('flag-input-enable-prefix-caching').uncheck();
  await expect(preview).toContainText('--no-enable-prefix-caching');

  // Search finds a flag in a collapsed group under any spelling; reset brings vLLM's default back.
  await page.getByTestId('flag-search').fill('enforce_eager');
  await page.getByTestId('flag-input-enforce-eager').check();
  await expect(preview).toContainText('--enforce-eager');
  await page.getByTestId('flag-reset-enforce-eager').click();
  await expect(preview).not.toContainText('--enforce-eager');
  await page.getByTestId('flag-search').fill('');

  // "Only changed" hides flags the profile does not set.
  await page.getByTestId('only-changed').check();
  await expect(page.getByTestId('flag-input-max-num-seqs')).toBeVisible();
  await expect(page.getByTestId('flag-input-port')).toBeVisible();
  await expect(page.getByTestId('flag-input-enforce-eager')).toHaveCount(0);
  await page.getByTestId('only-changed').uncheck();

  // Exposing on the network binds 0.0.0.0 and warns without an API key.
  await page.getByTestId('expose-network').check();
  await expect(preview).toContainText('--host 0.0.0.0');
  await expect(page.getByTestId('command-issues')).toContainText('without --api-key');

  // Saving an edited built-in makes a user copy; the built-in keeps its values.
  await page.getByTestId('profile-save').click();
  await expect(page.getByTestId('profile-dirty')).toHaveCount(0);
  const copy = page.locator('[data-testid^="profile-card-user-"]');
  await expect(copy).toHaveCount(1);
  await expect(copy).toContainText('LONG_CONTEXT custom');
  await expect(copy).toHaveAttribute('data-selected', 'true');
  await page.getByTestId('profile-select-long-context').click();
  await expect(page.getByTestId('flag-input-max-num-seqs')).toHaveValue('32');
});

test('copy, export a launcher script, and import a pasted command with unknown parts', async ({ page, panel, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: panel.baseUrl });
  await panel.open(page);
  await settled(page);
  const preview = page.getByTestId('command-preview');
  await expect(preview).toContainText('--max-num-seqs 64');

  // The preview is rebuilt once runtime detection finishes (the program changes from `vllm` to the
  // detected runtime); copy what is shown once it has settled, and it must be exactly that text.
  await expect(page.getByTestId('command-preview-box')).toHaveAttribute('data-building', 'false');
  await expect
    .poll(async () => {
      const shown = await preview.textContent();
      await page.getByTestId('copy-command').click();
      await expect(page.getByTestId('copy-command')).toHaveText('Copied');
      return (await page.evaluate(() => navigator.clipboard.readText())) === shown;
    })
    .toBe(true);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-script').click()]);
  expect(download.suggestedFilename()).toBe('launch-throughput.sh');
  const script = readFileSync(await download.path(), 'utf8');
  expect(script.startsWith('#!/usr/bin/env bash\n')).toBe(true);
  expect(script).toContain('exec vllm serve nvidia/NVIDIA-Nemotron-Nano-12B-v2');
  expect(script).toContain('export CUDA_VISIBLE_DEVICES=0,1');

  await page.getByTestId('import-command').click();
  await page
    .getByTestId('import-text')
    .fill(
      "CUDA_VISIBLE_DEVICES=1 vllm serve nvidia/NVIDIA-Nemotron-Nano-12B-v2 --max_num_seqs 8 --frobnicate 3 --served-model-name 'my-nano' 2>&1 | tee log.txt",
    );
  await page.getByTestId('import-read').click();
  const unknown = page.getByTestId('import-unknown');
  await expect(unknown).toContainText('--frobnicate 3');
  await expect(unknown).toContainText('tee log.txt');
  await page.getByTestId('import-name').fill('From a paste');
  await page.getByTestId('import-save').click();
  await expect(page.getByTestId('import-dialog')).toHaveCount(0);
  const card = page.locator('[data-testid^="profile-card-user-"]');
  await expect(card).toContainText('From a paste');
  await expect(page.getByTestId('flag-input-max-num-seqs')).toHaveValue('8');
  await expect(page.getByTestId('extra-args')).toHaveValue('--frobnicate\n3');
  await expect(preview).toContainText('--served-model-name my-nano');
  await expect(preview).toContainText('CUDA_VISIBLE_DEVICES=1');
});
