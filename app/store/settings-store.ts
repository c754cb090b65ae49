import { join } from 'node:path';
import { Settings, type SettingsPatch } from '../contract/settings';
import { loadJson, saveJson } from './json-file';

export class SettingsStore {
  private current: Settings = Settings.parse({});
  private readonly file: string;
  /** Serialises writes so two quick updates never interleave. */
  private writing: Promise<void> = Promise.resolve();

  constructor(configDir: string) {
    this.file = join(configDir, 'settings.json');
  }

  /** Loads from disk; returns a problem message when the file was corrupt (and kept aside). */
  async load(): Promise<string | undefined> {
    const r = await loadJson(this.file, Settings, () => Settings.parse({}));
    this.current = r.value;
    return r.problem?.message;
  }

  get(): Settings {
    return this.current;
  }

  async update(patch: SettingsPatch): Promise<Settings> {
    this.current = Settings.parse({ ...this.current, ...patch });
    const snapshot = this.current;
    this.writing = this.writing.then(() => saveJson(this.file, snapshot));
    await this.writing;
    return snapshot;
  }
}
