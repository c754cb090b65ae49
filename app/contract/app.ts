import { z } from 'zod';
import { Empty } from './common';
import { Settings, SettingsPatch } from './settings';

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  shell: z.enum(['electron', 'web', 'cli', 'test']),
  platform: z.string(),
  nodeVersion: z.string(),
  configDir: z.string(),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const appCommands = {
  'app:info': { req: Empty, res: AppInfo },
  'settings:get': { req: Empty, res: Settings },
  'settings:update': { req: SettingsPatch, res: Settings },
} as const;

export const appEvents = {
  /** Pushed after every settings change, whoever made it (another window, the CLI). */
  settings: Settings,
  /** A notice for the status bar (e.g. "settings file was corrupt; kept a backup at …"). */
  notice: z.object({ level: z.enum(['info', 'warning', 'error']), message: z.string(), at: z.number() }),
} as const;
