import { z } from 'zod';

/** A one-click fix the UI can offer next to an error ("lower max-num-seqs to 40"). */
export const Remedy = z.object({
  /** Human text, imperative: "Lower max-num-seqs to 40". */
  label: z.string(),
  /** Machine-applicable action, when there is one. */
  action: z
    .discriminatedUnion('type', [
      z.object({ type: z.literal('set-flag'), flag: z.string(), value: z.union([z.string(), z.number(), z.boolean(), z.null()]) }),
      z.object({ type: z.literal('unset-flag'), flag: z.string() }),
      z.object({ type: z.literal('kill-process'), pid: z.number().int().positive() }),
      z.object({ type: z.literal('select-gpus'), gpus: z.array(z.number().int().nonnegative()) }),
      z.object({ type: z.literal('open-url'), url: z.string() }),
    ])
    .optional(),
});
export type Remedy = z.infer<typeof Remedy>;

/** Errors the user can act on are values with a kind, a message and remedies (DESIGN.md). */
export const UserError = z.object({
  kind: z.string(),
  message: z.string(),
  /** The input field the error is about, when there is one (e.g. "max-num-seqs"). */
  field: z.string().optional(),
  remedies: z.array(Remedy).default([]),
});
export type UserError = z.infer<typeof UserError>;

/** Wire result of every command: a value or a user error, never a thrown string. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: UserError };

export const Empty = z.object({}).strict().optional();
