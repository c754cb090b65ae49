import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { z } from 'zod';

export interface LoadResult<T> {
  value: T;
  /** Set when the file existed but could not be used: it was moved aside to `backupPath`. */
  problem?: { message: string; backupPath: string };
}

/**
 * Reads a JSON file and validates it. A missing file gives the schema's default; a corrupt or
 * invalid one is renamed to `<file>.corrupt-<time>` (never silently lost) and reported.
 */
export async function loadJson<S extends z.ZodType>(
  path: string,
  schema: S,
  fallback: () => z.output<S>,
  now: () => number = Date.now,
): Promise<LoadResult<z.output<S>>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { value: fallback() };
    throw err;
  }
  let reason: string;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    if (parsed.success) return { value: parsed.data };
    reason = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  } catch (err) {
    reason = `not valid JSON (${(err as Error).message})`;
  }
  const backupPath = `${path}.corrupt-${new Date(now()).toISOString().replace(/[:.]/g, '-')}`;
  await rename(path, backupPath);
  return { value: fallback(), problem: { message: `${path} was unreadable: ${reason}. It was kept as ${backupPath}.`, backupPath } };
}

/** Atomic write: temp file in the same directory, then rename over the target. */
export async function saveJson(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, path);
}
