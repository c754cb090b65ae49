/** Types for check-deps.mjs (imported by its test). */
export function violation(rel: string, spec: string, root?: string): string | undefined;
export function check(root?: string): string[];
