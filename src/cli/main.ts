// The `netflow` command line (temporary: serve only; the full CLI follows).
import { ConfigError, loadConfig } from '../config/config.js';

export async function main(argv: string[]): Promise<number> {
  try {
    if (argv[0] === 'serve') {
      const { serve } = await import('../app/serve.js');
      await serve(loadConfig());
      return 0;
    }
    process.stderr.write(`netflow: unknown command "${argv.join(' ')}"\n`);
    return 2;
  } catch (err) {
    process.stderr.write(`netflow: ${err instanceof ConfigError || err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
