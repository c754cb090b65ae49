import { z } from 'zod';

export const Theme = z.enum(['system', 'dark', 'light']);
export type Theme = z.infer<typeof Theme>;

/**
 * App settings, stored as JSON under the user's config dir. Every field has a default so an
 * older or partial file still loads; unknown keys are dropped.
 */
export const Settings = z.object({
  theme: Theme.default('system'),
  /** Electron only: keeps Chromium's compositor off the GPU so the UI takes no VRAM from vLLM. */
  disableHardwareAcceleration: z.boolean().default(true),
  /** Log ring buffer size (lines kept in memory). */
  logBufferLines: z.number().int().min(1000).max(1_000_000).default(50_000),
  /** Seconds between SIGTERM and SIGKILL when stopping vLLM. */
  stopGraceSeconds: z.number().min(1).max(600).default(20),
  /** /metrics scrape interval. */
  metricsIntervalMs: z.number().int().min(250).max(60_000).default(1000),
  /** nvidia-smi poll interval. */
  gpuPollMs: z.number().int().min(500).max(60_000).default(2000),
  /** On quit: stop the server (false) or leave it running and re-attach next launch (true). */
  keepServerRunningOnQuit: z.boolean().default(false),
});
export type Settings = z.infer<typeof Settings>;
export const SettingsPatch = Settings.partial();
export type SettingsPatch = z.infer<typeof SettingsPatch>;
