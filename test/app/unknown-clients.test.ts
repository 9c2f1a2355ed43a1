// Packets from unknown addresses are logged for the operator, but a spoofed flood cannot flood the log.
import { describe, expect, it } from 'vitest';
import { unknownClientLog } from '../../src/app/unknown-clients.js';
import { createLogger } from '../../src/config/logger.js';

describe('unknown RADIUS clients in the log', () => {
  it('logs each address once per ten minutes, at most ten a minute, and sums up the rest', () => {
    const lines: Array<{ msg: string; address?: string; addresses?: number; todo?: string }> = [];
    let t = 1_000_000;
    const seen = unknownClientLog(
      createLogger('info', (l) => lines.push(JSON.parse(l))),
      () => t,
    );
    seen('::ffff:192.0.2.7');
    seen('192.0.2.7');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ address: '192.0.2.7', todo: expect.stringContaining('netflow router add --ip 192.0.2.7') });
    for (let i = 0; i < 50; i++) seen(`198.51.100.${i}`);
    expect(lines).toHaveLength(10);
    t += 61_000;
    seen('203.0.113.1');
    expect(lines.at(-2)).toMatchObject({ msg: expect.stringMatching(/more unknown addresses/), addresses: 41 });
    expect(lines.at(-1)).toMatchObject({ address: '203.0.113.1' });
    t += 10 * 60_000;
    seen('192.0.2.7');
    expect(lines.at(-1)).toMatchObject({ address: '192.0.2.7' });
  });
});
