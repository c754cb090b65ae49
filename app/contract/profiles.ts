// Contract of the profiles part of app/launch: launch profiles, the command builder and launcher
// script export/import. Commands (request/response) and pushed events, with zod schemas.
import { z } from 'zod';
import { Empty } from './common';
import { FieldIssueSchema, FlagValueSchema, FlagValuesSchema, VllmRuntimeSchema } from './launch';

/** Upper bounds keep a hostile or broken client from sending megabytes per field. */
const MAX_TEXT = 16_384;
const Text = z.string().max(MAX_TEXT);

export const ProfileId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,79}$/, 'profile ids are lower-case letters, digits and dashes (at most 80)');

/** Mirrors app/launch/types.ts `Profile` (profile-store.ts checks that they stay the same). */
export const ProfileSchema = z.object({
  id: ProfileId,
  name: z.string().trim().min(1, 'a profile needs a name').max(120),
  builtin: z.boolean(),
  description: z.string().max(4000),
  model: Text,
  flags: FlagValuesSchema,
  env: z.record(z.string().max(200), z.string().max(MAX_TEXT)),
  extraArgs: z.array(Text).max(512),
  notes: z.string().max(MAX_TEXT).optional(),
});
export type ProfileDto = z.infer<typeof ProfileSchema>;

export const ProfileChangeSchema = z.object({
  kind: z.enum(['model', 'flag', 'env', 'extraArgs']),
  name: z.string(),
  from: z.union([FlagValueSchema, z.array(z.string())]).optional(),
  to: z.union([FlagValueSchema, z.array(z.string())]).optional(),
});
export type ProfileChangeDto = z.infer<typeof ProfileChangeSchema>;

export const ProfileList = z.object({ profiles: z.array(ProfileSchema) });

/** What the command builder needs besides the profile. Everything optional: defaults are the saved GPU selection and detected runtime. */
export const BuildRequest = z
  .object({
    /** A saved profile (built-in or user) … */
    profileId: ProfileId.optional(),
    /** … or an edited, possibly unsaved profile (the editor's current state). Wins over profileId. */
    profile: ProfileSchema.optional(),
    /** Per-launch flag edits on top of the profile. */
    overrides: FlagValuesSchema.optional(),
    /** nvidia-smi indices; default: the saved GPU selection (gpu:selection). */
    gpus: z.array(z.number().int().nonnegative().max(1023)).max(1024).optional(),
    /** Bind 0.0.0.0 instead of 127.0.0.1. */
    exposeOnNetwork: z.boolean().optional(),
    apiKey: z.string().max(4096).optional(),
    /** The vLLM runtime to launch (from runtime:detect): program, virtualenv, version. Default: `vllm` on PATH. */
    runtime: VllmRuntimeSchema.optional(),
    /** vLLM version to build version-correct flags for; default: the runtime's version (newest known without one). */
    vllmVersion: z.string().max(64).optional(),
  })
  .strict();
export type BuildRequest = z.infer<typeof BuildRequest>;

export const BuiltCommand = z.object({
  /** Exactly what is spawned (no shell): program + arguments. */
  argv: z.array(z.string()),
  /** Variables added to the inherited environment. */
  env: z.record(z.string(), z.string()),
  issues: z.array(FieldIssueSchema),
  /** Shell-quoted rendering for copy/paste only; never executed. */
  display: z.string(),
  /** The GPU indices and data-parallel size the command uses. */
  gpus: z.array(z.number().int().nonnegative()),
  dataParallelSize: z.number().int().nonnegative(),
  /** The vLLM version the flags were checked against (null = newest known). */
  vllmVersion: z.string().nullable(),
});
export type BuiltCommand = z.infer<typeof BuiltCommand>;

export const ImportResult = z.object({
  /** A new user profile (not saved yet; save it with profile:create). */
  profile: ProfileSchema,
  /** Parts that were not understood (also kept in profile.extraArgs or profile.notes). */
  unknown: z.array(z.string()),
  /** Things understood but changed: removed flags translated, derived values dropped. */
  warnings: z.array(z.string()),
  /** GPU indices from CUDA_VISIBLE_DEVICES, when the text set them. */
  gpus: z.array(z.number().int().nonnegative()).optional(),
  exposeOnNetwork: z.boolean(),
  /** The virtualenv the launcher activates (as written), when it activates one. */
  venv: z.string().optional(),
  /** Branches of a `case` statement over profiles; import again with caseChoice to pick another. */
  caseChoices: z.array(z.string()),
  caseChosen: z.string().optional(),
});
export type ImportResultDto = z.infer<typeof ImportResult>;

export const profilesCommands = {
  /** Built-ins first, then user profiles (sorted by name). */
  'profile:list': { req: Empty, res: ProfileList },
  /** Creates or replaces a user profile. Built-ins are read-only (error kind "read_only"; duplicate instead). */
  'profile:save': { req: z.object({ profile: ProfileSchema }).strict(), res: ProfileSchema },
  /** A new user profile: a copy of `from` (default THROUGHPUT) or of `profile` (e.g. from script:import). */
  'profile:create': {
    req: z.object({ name: z.string().trim().min(1).max(120), from: ProfileId.optional(), profile: ProfileSchema.optional() }).strict(),
    res: ProfileSchema,
  },
  'profile:duplicate': {
    req: z.object({ id: ProfileId, name: z.string().trim().min(1).max(120).optional() }).strict(),
    res: ProfileSchema,
  },
  'profile:rename': { req: z.object({ id: ProfileId, name: z.string().trim().min(1).max(120) }).strict(), res: ProfileSchema },
  'profile:delete': { req: z.object({ id: ProfileId }).strict(), res: z.object({ deleted: ProfileId }) },
  /** Changes of profile `id` against `against` (default: the closest built-in). */
  'profile:diff': {
    req: z.object({ id: ProfileId, against: ProfileId.optional() }).strict(),
    res: z.object({ against: ProfileId, changes: z.array(ProfileChangeSchema) }),
  },
  /** Profile + overrides + GPU selection + runtime → argv and env (never a shell string). */
  'command:build': { req: BuildRequest, res: BuiltCommand },
  /** A standalone bash launcher equivalent to the built command. */
  'script:export': {
    req: BuildRequest,
    res: z.object({ text: z.string(), filename: z.string(), issues: z.array(FieldIssueSchema) }),
  },
  /** A pasted `vllm serve …` command line or a whole launcher script → a profile. */
  'script:import': {
    req: z.object({ text: z.string().max(1_000_000), caseChoice: z.string().max(200).optional() }).strict(),
    res: ImportResult,
  },
} as const;

export const profilesEvents = {
  /** The full profile list after any change (any window, any shell). */
  profiles: ProfileList,
} as const;
