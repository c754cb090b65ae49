// The chat's API key lives in a SecretStore (app/host/deps.ts): the Electron shell passes one
// backed by safeStorage (the OS keychain); the web shell and the CLI keep it in memory for the
// session only — they never write a key to disk (there is no keychain a headless box could use).
import type { SecretStore } from '../host/deps';

export class MemorySecretStore implements SecretStore {
  readonly kind = 'session-memory' as const;
  private readonly values = new Map<string, string>();
  async get(name: string): Promise<string | undefined> {
    return this.values.get(name);
  }
  async set(name: string, value: string): Promise<void> {
    this.values.set(name, value);
  }
  async delete(name: string): Promise<void> {
    this.values.delete(name);
  }
}

/** The one secret the chat keeps: the custom target's API key. */
export const CUSTOM_KEY_NAME = 'chat.custom-target.api-key';

export function keyStorageNote(kind: SecretStore['kind']): string {
  return kind === 'os-keychain'
    ? 'The API key is stored encrypted with the operating system’s keychain (Electron safeStorage).'
    : 'The API key is kept in memory for this session only and is never written to disk: enter it again after the panel restarts.';
}
