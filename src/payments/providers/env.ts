// Reading a provider's credentials from the environment: blank counts as unset.

/** A variable's trimmed value, or undefined when unset or blank. */
export function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

