// GPU detection end to end: the web shell runs with VLLM_PANEL_NVIDIA_SMI pointing at
// scripts/fake-nvidia-smi.mjs (this machine has no GPU), which answers from app/gpu/fixtures.
import { fileURLToPath } from 'node:url';
import { expect, test } from './fixtures';

const fakeSmi = fileURLToPath(new URL('../scripts/fake-nvidia-smi.mjs', import.meta.url));

test.describe('four mixed GPUs', () => {
  test.use({ panelEnv: { VLLM_PANEL_NVIDIA_SMI: fakeSmi, FAKE_NVIDIA_SMI_FIXTURE: 'mixed-4' } });

  test('cards show memory and processes; ticking GPUs updates CUDA_VISIBLE_DEVICES, arch list and DP size, and persists', async ({
    page,
    panel,
  }) => {
    await panel.open(page);
    for (const i of [0, 1, 2, 3]) await expect(page.getByTestId(`gpu-card-${i}`)).toBeVisible();
    await expect(page.getByTestId('gpu-card-0')).toContainText('NVIDIA A100-SXM4-80GB');
    await expect(page.getByTestId('gpu-mem-0')).toHaveText('40.0 / 80.0 GiB');
    // "Who uses them": the 4090 has a desktop, a conda python and a process we may not see.
    const procs = page.getByTestId('gpu-procs-2');
    await expect(procs).toContainText('6001');
    await expect(procs).toContainText('python');
    await expect(procs).toContainText('Xorg');
    await expect(procs).toContainText('hidden (no permission)');
    await expect(page.getByTestId('gpu-headline')).toHaveText('4 GPUs · driver 550.54.15 · CUDA 12.4');

    // Nothing chosen yet: every detected GPU.
    const env = page.getByTestId('gpu-env-preview');
    await expect(env).toContainText('CUDA_VISIBLE_DEVICES=0,1,2,3');
    await expect(env).toContainText('CUDA_DEVICE_ORDER=PCI_BUS_ID');
    await expect(env).toContainText('TORCH_CUDA_ARCH_LIST=8.0;8.6;8.9;9.0');
    await expect(env).toContainText('--data-parallel-size 4');

    await page.getByTestId('gpu-select-1').uncheck();
    await page.getByTestId('gpu-select-2').uncheck();
    await expect(env).toContainText('CUDA_VISIBLE_DEVICES=0,3');
    await expect(env).toContainText('TORCH_CUDA_ARCH_LIST=8.0;9.0');
    await expect(env).toContainText('--data-parallel-size 2');
    await expect(page.getByTestId('gpu-card-1')).toHaveAttribute('data-selected', 'false');
    await expect(page.getByTestId('gpu-selection-issues')).toContainText('different models');

    // The core owns the selection: a reload (or another window) sees the same ticks.
    await page.reload();
    await expect(page.getByTestId('gpu-select-3')).toBeChecked();
    await expect(page.getByTestId('gpu-select-1')).not.toBeChecked();
    await expect(page.getByTestId('gpu-env-preview')).toContainText('CUDA_VISIBLE_DEVICES=0,3');

    // Clicking the GPU's name ticks it too (the label belongs to the checkbox).
    await page.getByTestId('gpu-card-1').getByText('NVIDIA RTX A6000').click();
    await expect(page.getByTestId('gpu-env-preview')).toContainText('CUDA_VISIBLE_DEVICES=0,1,3');
  });
});

test.describe('two real H100s (captured output)', () => {
  test.use({ panelEnv: { VLLM_PANEL_NVIDIA_SMI: fakeSmi, FAKE_NVIDIA_SMI_FIXTURE: 'h100x2-busy' } });

  test('one GPU of two gives CUDA_VISIBLE_DEVICES=1 and arch 9.0', async ({ page, panel }) => {
    await panel.open(page);
    await expect(page.getByTestId('gpu-procs-0')).toContainText('1066');
    await expect(page.getByTestId('gpu-procs-1')).toContainText('1067');
    await page.getByTestId('gpu-select-0').uncheck();
    const env = page.getByTestId('gpu-env-preview');
    await expect(env).toContainText('CUDA_VISIBLE_DEVICES=1');
    await expect(env).toContainText('TORCH_CUDA_ARCH_LIST=9.0');
    await expect(env).toContainText('--data-parallel-size 1');
  });
});

test.describe('no GPU', () => {
  test.use({ panelEnv: { VLLM_PANEL_NVIDIA_SMI: '/nonexistent/nvidia-smi' } });

  test('an empty state gives the reason instead of cards', async ({ page, panel }) => {
    await panel.open(page);
    await expect(page.getByTestId('gpu-empty-reason')).toContainText('VLLM_PANEL_NVIDIA_SMI is set to "/nonexistent/nvidia-smi"');
    await expect(page.getByTestId('gpu-panel')).toContainText('No NVIDIA GPU detected');
    await expect(page.locator('[data-testid^="gpu-card-"]')).toHaveCount(0);
  });
});
