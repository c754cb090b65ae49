import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Cipher, EncryptedFileSecretStore, type SafeStorageLike, safeStorageCipher } from './secrets';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vllm-panel-secrets-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A reversible stand-in for safeStorage (XOR): enough to see that only ciphertext is written. */
function fakeCipher(available = true): Cipher & { on: boolean } {
  const c = {
    on: available,
    available: () => c.on,
    encrypt: (s: string) => Buffer.from([...Buffer.from(`v10${s}`)].map((b) => b ^ 0x5a)),
    decrypt: (b: Buffer) => {
      const plain = Buffer.from([...b].map((x) => x ^ 0x5a)).toString();
      if (!plain.startsWith('v10')) throw new Error('bad');
      return plain.slice(3);
    },
  };
  return c;
}

describe('EncryptedFileSecretStore', () => {
  it('with a keychain: writes only ciphertext (0600), reads it back after a restart, deletes', async () => {
    const path = join(dir, 'secrets.json');
    const s = new EncryptedFileSecretStore(path, fakeCipher());
    expect(s.kind).toBe('os-keychain');
    await s.set('k', 'sk-secret-123');
    const text = await readFile(path, 'utf8');
    expect(text).not.toContain('sk-secret-123');
    expect(JSON.parse(text).entries.k).toMatch(/^[A-Za-z0-9+/=]+$/);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const again = new EncryptedFileSecretStore(path, fakeCipher());
    expect(await again.get('k')).toBe('sk-secret-123');
    await again.delete('k');
    expect(await new EncryptedFileSecretStore(path, fakeCipher()).get('k')).toBeUndefined();
  });

  it('without a keychain: memory only for the session, nothing on disk, and it says so', async () => {
    const path = join(dir, 'secrets.json');
    const s = new EncryptedFileSecretStore(path, fakeCipher(false));
    expect(s.kind).toBe('session-memory');
    await s.set('k', 'sk-secret-123');
    expect(await s.get('k')).toBe('sk-secret-123');
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await new EncryptedFileSecretStore(path, fakeCipher(false)).get('k')).toBeUndefined();
  });

  it('a value it cannot decrypt (other account/keychain) reads as absent', async () => {
    const path = join(dir, 'secrets.json');
    await new EncryptedFileSecretStore(path, fakeCipher()).set('k', 'x');
    const other = fakeCipher();
    other.decrypt = () => {
      throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    };
    expect(await new EncryptedFileSecretStore(path, other).get('k')).toBeUndefined();
  });
});

describe('safeStorageCipher', () => {
  const ss = (available: boolean, backend?: string): SafeStorageLike => ({
    isEncryptionAvailable: () => available,
    encryptString: (s) => Buffer.from(s),
    decryptString: (b) => b.toString(),
    ...(backend ? { getSelectedStorageBackend: () => backend } : {}),
  });
  it('treats Linux’s basic_text fallback as no keychain', () => {
    expect(safeStorageCipher(ss(true, 'basic_text'), 'linux').available()).toBe(false);
    expect(safeStorageCipher(ss(true, 'gnome_libsecret'), 'linux').available()).toBe(true);
    expect(safeStorageCipher(ss(true), 'darwin').available()).toBe(true);
    expect(safeStorageCipher(ss(false), 'win32').available()).toBe(false);
  });
});
