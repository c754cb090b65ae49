// User profiles on disk (<configDir>/profiles.json): zod-validated, atomic writes, and a corrupt
// file is moved aside and reported (app/store/json-file.ts), never silently lost. Built-ins live
// in code (profiles.ts) and are read-only: saving over one is refused, editing makes a copy.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { ProfileSchema } from '../contract/profiles';
import { loadJson, saveJson } from '../store/json-file';
import { BUILTIN_PROFILES, builtinProfile, cloneProfile, DEFAULT_PROFILE_ID } from './profiles';
import type { Profile } from './types';

// Compile-time check that the contract's schema and the shared Profile type stay the same.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesType: Same<z.infer<typeof ProfileSchema>, Profile> = true;
void schemaMatchesType;

/** File format, versioned so a later layout can migrate instead of refusing. */
const ProfilesFile = z.object({
  version: z.literal(1),
  profiles: z.array(ProfileSchema),
});

export class ProfileStoreError extends Error {
  constructor(
    readonly kind: 'not_found' | 'read_only' | 'name_taken' | 'invalid',
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ProfileStoreError';
  }
}

export function newUserProfileId(): string {
  return `user-${randomUUID()}`;
}

export class ProfileStore {
  private user: Profile[] = [];
  private readonly file: string;
  /** Serialises writes so two quick edits never interleave or lose one another. */
  private writing: Promise<void> = Promise.resolve();

  constructor(
    configDir: string,
    private readonly now: () => number = Date.now,
  ) {
    this.file = join(configDir, 'profiles.json');
  }

  get path(): string {
    return this.file;
  }

  /** Loads user profiles; returns a problem message when the file was corrupt (and kept aside). */
  async load(): Promise<string | undefined> {
    const r = await loadJson(this.file, ProfilesFile, () => ({ version: 1 as const, profiles: [] }), this.now);
    const seen = new Set(BUILTIN_PROFILES.map((b) => b.id));
    const dropped: string[] = [];
    this.user = [];
    for (const p of r.value.profiles) {
      // A user profile may never shadow a built-in or repeat an id (hand-edited files).
      if (seen.has(p.id)) {
        dropped.push(p.id);
        continue;
      }
      seen.add(p.id);
      this.user.push({ ...p, builtin: false });
    }
    const problems = [
      r.problem?.message,
      dropped.length ? `Ignored profiles with duplicate or built-in ids in ${this.file}: ${dropped.join(', ')}.` : undefined,
    ];
    const msg = problems.filter(Boolean).join(' ');
    return msg || undefined;
  }

  /** Built-ins first (in launcher order), then user profiles sorted by name. */
  list(): Profile[] {
    const users = [...this.user].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    return [...BUILTIN_PROFILES.map(cloneProfile), ...users.map(cloneProfile)];
  }

  get(id: string): Profile | undefined {
    const b = builtinProfile(id);
    if (b) return b;
    const u = this.user.find((p) => p.id === id);
    return u ? cloneProfile(u) : undefined;
  }

  require(id: string): Profile {
    const p = this.get(id);
    if (!p) throw new ProfileStoreError('not_found', `No profile with id "${id}".`, 'id');
    return p;
  }

  private checkName(name: string, exceptId?: string): string {
    const n = name.trim();
    if (!n) throw new ProfileStoreError('invalid', 'A profile needs a name.', 'name');
    const clash = this.list().find((p) => p.id !== exceptId && p.name.toLowerCase() === n.toLowerCase());
    if (clash) throw new ProfileStoreError('name_taken', `A profile named "${clash.name}" already exists.`, 'name');
    return n;
  }

  /** A name not used yet: "THROUGHPUT copy", "THROUGHPUT copy 2", … */
  uniqueName(base: string): string {
    const taken = new Set(this.list().map((p) => p.name.toLowerCase()));
    if (!taken.has(base.toLowerCase())) return base;
    for (let i = 2; ; i++) {
      const n = `${base} ${i}`;
      if (!taken.has(n.toLowerCase())) return n;
    }
  }

  private async persist(): Promise<void> {
    const snapshot = { version: 1 as const, profiles: this.user.map(cloneProfile) };
    this.writing = this.writing.then(() => saveJson(this.file, snapshot));
    await this.writing;
  }

  /** Creates or replaces a user profile. Built-in ids are refused (duplicate one instead). */
  async save(profile: Profile): Promise<Profile> {
    if (builtinProfile(profile.id)) {
      throw new ProfileStoreError(
        'read_only',
        `"${profile.name}" is a built-in profile and cannot be changed; duplicate it to edit a copy.`,
        'id',
      );
    }
    const parsed = ProfileSchema.safeParse({ ...profile, builtin: false });
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new ProfileStoreError(
        'invalid',
        parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; '),
        i?.path.map(String).join('.'),
      );
    }
    const p: Profile = parsed.data;
    p.name = this.checkName(p.name, p.id);
    const idx = this.user.findIndex((u) => u.id === p.id);
    if (idx >= 0) this.user[idx] = p;
    else this.user.push(p);
    await this.persist();
    return cloneProfile(p);
  }

  /** A new user profile copied from `from` (default THROUGHPUT) or from a given profile's content. */
  async create(name: string, from?: string, content?: Profile): Promise<Profile> {
    const base = content ? cloneProfile(content) : this.require(from ?? DEFAULT_PROFILE_ID);
    const p: Profile = { ...base, id: newUserProfileId(), name: this.checkName(name), builtin: false };
    return this.save(p);
  }

  async duplicate(id: string, name?: string): Promise<Profile> {
    const src = this.require(id);
    return this.create(name ?? this.uniqueName(`${src.name} copy`), undefined, src);
  }

  async rename(id: string, name: string): Promise<Profile> {
    const p = this.require(id);
    if (p.builtin)
      throw new ProfileStoreError('read_only', `"${p.name}" is a built-in profile and cannot be renamed; duplicate it first.`, 'id');
    return this.save({ ...p, name: this.checkName(name, id) });
  }

  async delete(id: string): Promise<void> {
    const p = this.require(id);
    if (p.builtin) throw new ProfileStoreError('read_only', `"${p.name}" is a built-in profile and cannot be deleted.`, 'id');
    this.user = this.user.filter((u) => u.id !== id);
    await this.persist();
  }
}
