// The fit gauge end to end: the web shell plans with the fake nvidia-smi's GPUs (or a preset size
// without a GPU), and the gauge follows profile edits and applies a fix to the profile.
import { fileURLToPath } from 'node:url';
import { expect, test } from './fixtures';

const fakeSmi = fileURLToPath(new URL('../scripts/fake-nvidia-smi.mjs', import.meta.url));

test.describe('two idle H100s', () => {
  test.use({ panelEnv: { VLLM_PANEL_NVIDIA_SMI: fakeSmi, FAKE_NVIDIA_SMI_FIXTURE: 'h100x2-idle' } });

  test('reacts to flag edits and profile switches; a fix button edits the profile', async ({ page, panel }) => {
    await panel.open(page);
    const verdict = page.getByTestId('fit-verdict');
    const conc = page.getByTestId('fit-max-concurrency');
    await expect(verdict).toHaveText('fits');
    await expect(page.getByTestId('fit-kv-tokens')).toHaveText(/^[\d,]+ tokens$/);
    await expect(conc).toContainText('32,768-token requests per GPU');
    await expect(conc).toContainText('max-num-seqs 64');

    // More sequences than the Mamba cache has blocks: vLLM would refuse to start.
    await page.getByTestId('flag-input-max-num-seqs').fill('4096');
    await expect(verdict).toHaveText('will-fail');
    await expect(page.locator('[data-kind="mamba_cache_blocks_exceeded"]')).toBeVisible();
    const fix = page.getByTestId('fit-remedy').filter({ hasText: /^Lower max-num-seqs to \d+$/ });
    const label = (await fix.textContent()) ?? '';
    const n = /(\d+)$/.exec(label)?.[1] ?? '';
    await fix.click();
    await expect(page.getByTestId('flag-input-max-num-seqs')).toHaveValue(n);
    await expect(verdict).toHaveText('fits');

    // LONG_CONTEXT: the concurrency line follows its max-model-len.
    await page.getByTestId('profile-select-long-context').click();
    await expect(conc).toContainText('65,536-token requests');
    await expect(conc).toContainText('max-num-seqs 32');
  });
});

test.describe('no GPU', () => {
  test.use({ panelEnv: { VLLM_PANEL_NVIDIA_SMI: '/nonexistent/nvidia-smi' } });

  test('plans for a chosen GPU size: 24 GB does not fit the bf16 weights, 80 GB does', async ({ page, panel }) => {
    await panel.open(page);
    const verdict = page.getByTestId('fit-verdict');
    await expect(page.getByTestId('fit-gpu-preset')).toBeVisible();
    await expect(verdict).toHaveText('fits');
    await page.getByTestId('fit-gpu-preset').selectOption('24');
    await expect(verdict).toHaveText('will-fail');
    await expect(page.getByTestId('fit-summary')).toContainText('CUDA out of memory');
    await page.getByTestId('fit-gpu-preset').selectOption('80');
    await expect(verdict).toHaveText('fits');
  });
});
