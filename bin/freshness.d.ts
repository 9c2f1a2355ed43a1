/** The repository root (where package.json is). */
export const ROOT: string;
/** null when dist/ is a build of the current src/; otherwise why not. */
export function staleReason(root?: string): string | null;
