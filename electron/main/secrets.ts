// The desktop app's SecretStore (app/host/deps.ts): values encrypted with Electron's safeStorage
// (macOS Keychain, Windows DPAPI, libsecret/kwallet on Linux) and kept as base64 in a 0600 JSON
// file under the config dir. Where the OS offers no keychain (safeStorage unavailable, or Linux's
// hard-coded "basic_text" fallback, which is obfuscation rather than encryption) nothing is
// written: the key then lives in memory for the session, and `kind` says so.
// The cipher is injected so this file's logic is tested without Electron (secrets.test.ts).
import { z } from 'zod';
import type { SecretStore } from '../../app/host/deps';
import { loadJson, saveJson } from '../../app/store/json-file';

export interface Cipher {
  /** Whether values can be encrypted with a real OS keychain right now. */
  available(): boolean;
  encrypt(plain: string): Buffer;
  decrypt(data: Buffer): string;
}

const SecretsFile = z.object({ version: z.literal(1), entries: z.record(z.string(), z.string()) });
type SecretsFile = z.infer<typeof SecretsFile>;

export class EncryptedFileSecretStore implements SecretStore {
  private readonly memory = new Map<string, string>();
  private file: SecretsFile | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly cipher: Cipher,
  ) {}

  get kind(): SecretStore['kind'] {
    return this.cipher.available() ? 'os-keychain' : 'session-memory';
  }

  private async load(): Promise<SecretsFile> {
    this.file ??= (await loadJson(this.path, SecretsFile, () => ({ version: 1 as const, entries: {} }))).value;
    return this.file;
  }

  async get(name: string): Promise<string | undefined> {
    const m = this.memory.get(name);
    if (m !== undefined) return m;
    if (!this.cipher.available()) return undefined;
    const enc = (await this.load()).entries[name];
    if (enc === undefined) return undefined;
    try {
      return this.cipher.decrypt(Buffer.from(enc, 'base64'));
    } catch {
      // Encrypted under another OS account or keychain: unusable, the user enters it again.
      return undefined;
    }
  }

  async set(name: string, value: string): Promise<void> {
    if (!this.cipher.available()) {
      this.memory.set(name, value);
      return;
    }
    this.memory.delete(name);
    const f = await this.load();
    f.entries[name] = this.cipher.encrypt(value).toString('base64');
    await this.save(f);
  }

  async delete(name: string): Promise<void> {
    this.memory.delete(name);
    const f = await this.load();
    if (!(name in f.entries)) return;
    delete f.entries[name];
    await this.save(f);
  }

  private save(f: SecretsFile): Promise<void> {
    const snapshot = structuredClone(f);
    this.writing = this.writing.catch(() => {}).then(() => saveJson(this.path, snapshot));
    return this.writing;
  }
}

/** The subset of Electron's safeStorage this file uses. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(data: Buffer): string;
  getSelectedStorageBackend?(): string;
}

/** safeStorage as a Cipher: unavailable before app 'ready' (Linux) and with the basic_text backend. */
export function safeStorageCipher(safeStorage: SafeStorageLike, platform: NodeJS.Platform): Cipher {
  return {
    available: () => {
      if (!safeStorage.isEncryptionAvailable()) return false;
      return !(platform === 'linux' && safeStorage.getSelectedStorageBackend?.() === 'basic_text');
    },
    encrypt: (s) => safeStorage.encryptString(s),
    decrypt: (b) => safeStorage.decryptString(b),
  };
}
