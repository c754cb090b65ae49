// Contract of the launch module (runtime detection, flag catalog, flag validation): commands
// (request/response) and pushed events, with zod schemas. The TypeScript shapes mirror
// app/launch/types.ts (FlagSpec, RemovedItem, FieldIssue), which stays the vocabulary of the core.
import { z } from 'zod';

export const FlagKindSchema = z.enum(['bool', 'store-true', 'int', 'hr-int', 'float', 'string', 'choice', 'list', 'json']);
/** Upper bounds keep a hostile or broken client from sending megabytes per field. */
const MAX_FLAG_TEXT = 16_384;
/** A flag value: string, number, boolean, list of strings (nargs=+), or null (vLLM's explicit None). */
export const FlagValueSchema = z.union([
  z.string().max(MAX_FLAG_TEXT),
  z.number(),
  z.boolean(),
  z.array(z.string().max(MAX_FLAG_TEXT)).max(256),
  z.null(),
]);
export const FlagValuesSchema = z.record(z.string().min(1).max(200), FlagValueSchema);

export const FlagSpecSchema = z.object({
  name: z.string().min(1).max(200),
  kind: FlagKindSchema,
  group: z.string().max(200),
  help: z.string().max(20_000),
  /** Absent = None / derived later. */
  default: FlagValueSchema.optional(),
  choices: z.array(z.string().max(200)).max(1000).optional(),
  aliases: z.array(z.string().max(50)).max(20).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  since: z.string().max(50).optional(),
  deprecated: z.boolean().optional(),
  minExclusive: z.boolean().optional(),
  nullable: z.boolean().optional(),
  suggestions: z.array(z.string().max(200)).max(1000).optional(),
});
export type FlagSpecWire = z.infer<typeof FlagSpecSchema>;

export const RemovedItemSchema = z.object({
  name: z.string(),
  removedIn: z.string(),
  replacement: z.string().optional(),
  replacementFlag: z.string().optional(),
  deprecatedIn: z.string().optional(),
  note: z.string(),
});

export const FieldIssueSchema = z.object({
  field: z.string(),
  severity: z.enum(['error', 'warning']),
  kind: z.enum(['unknown_flag', 'removed_flag', 'bad_type', 'bad_choice', 'out_of_range', 'cross_field', 'env', 'security']),
  message: z.string(),
  suggestions: z.array(z.string()).optional(),
});

export const RuntimeKindSchema = z.enum(['path', 'venv', 'conda', 'custom', 'sim']);
export const VllmRuntimeSchema = z.object({
  /** Stable id ("venv:/home/me/proj/.venv", "path:/usr/local/bin/vllm", "sim", "custom"). */
  id: z.string(),
  kind: RuntimeKindSchema,
  label: z.string(),
  /** Program and leading args; `serve MODEL …` is appended to them. */
  argv: z.array(z.string()).min(1),
  /** The virtualenv/conda env to activate for the launch. */
  venvDir: z.string().optional(),
  /** `vllm --version` output, e.g. "0.13.0". */
  version: z.string().optional(),
  /** Why this runtime cannot be used (not found, --version failed, ...). */
  error: z.string().optional(),
  /** Extra env needed to run argv (e.g. ELECTRON_RUN_AS_NODE for the simulator inside Electron). */
  env: z.record(z.string(), z.string()).optional(),
});
export type VllmRuntimeWire = z.infer<typeof VllmRuntimeSchema>;

const PathArg = z.string().min(1).max(4096);

export const RuntimeDetectRequest = z
  .object({
    /** Virtualenv (or conda env) folders the user pointed at. */
    extraVenvs: z.array(PathArg).max(32).optional(),
    /** A custom command prefix, as argv (never a shell string). */
    customCommand: z.array(PathArg).min(1).max(64).optional(),
    /**
     * Run detection again even if an earlier result is fresh. Without it, a call with the same
     * options (or with no argument at all: "the options of the last detection") within a few
     * minutes returns the earlier list, because `vllm --version` takes seconds per runtime.
     */
    refresh: z.boolean().optional(),
  })
  .strict()
  .optional();

const CatalogSelector = {
  /** A runtime from the last `runtime:detect`: its installed `--help=all` decides the flags. */
  runtimeId: z.string().max(5000).optional(),
  /** Or just a version for the built-in catalog (newest known when both are absent). */
  version: z.string().max(100).optional(),
};

export const CatalogGetRequest = z.object(CatalogSelector).strict().optional();
export const CatalogInfo = z.object({
  version: z.string().nullable(),
  /** builtin = reference catalog; help = parsed from the installed vLLM (possibly from the cache). */
  source: z.enum(['builtin', 'help']),
  notes: z.array(z.string()),
  groups: z.array(z.object({ name: z.string(), description: z.string() })),
  flags: z.array(FlagSpecSchema),
  removed: z.array(RemovedItemSchema),
});
export type CatalogInfo = z.infer<typeof CatalogInfo>;

export const FlagsValidateRequest = z
  .object({
    ...CatalogSelector,
    flags: FlagValuesSchema,
    gpuCount: z.number().int().min(0).max(1024).optional(),
    env: z.record(z.string().max(200), z.string().max(100_000)).optional(),
  })
  .strict();

export const launchCommands = {
  'runtime:detect': { req: RuntimeDetectRequest, res: z.object({ runtimes: z.array(VllmRuntimeSchema) }) },
  'catalog:get': { req: CatalogGetRequest, res: CatalogInfo },
  'flags:validate': { req: FlagsValidateRequest, res: z.object({ issues: z.array(FieldIssueSchema) }) },
} as const;
export const launchEvents = {} as const;
