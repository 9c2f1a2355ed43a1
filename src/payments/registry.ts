// Which payment providers this NetFlow uses: the ones the operator configured credentials for,
// or — when none is configured — NetFlow's local sandbox fakes of all of them (test money), so a
// fresh `npm start` sells packages out of the box.
import { createAirtelProvider, airtelCredentialsFromEnv, AIRTEL_SANDBOX_CREDENTIALS } from './providers/airtel.js';
import { createDarajaProvider, darajaCredentialsFromEnv, DARAJA_SANDBOX_CREDENTIALS } from './providers/daraja.js';
import { createSelcomProvider, selcomCredentialsFromEnv, SELCOM_SANDBOX_CREDENTIALS } from './providers/selcom.js';
import { createVodacomTzProvider, vodacomTzCredentialsFromEnv, VODACOM_TZ_SANDBOX_CREDENTIALS } from './providers/vodacom-tz.js';
import { createYasTzProvider, yasTzCredentialsFromEnv, YAS_TZ_SANDBOX_CREDENTIALS } from './providers/yas-tz.js';
import type { Network, PaymentProvider, ProviderId } from './provider.js';
import type { ProviderRegistry } from './service.js';

export type SandboxMode = 'auto' | 'on' | 'off';

/** Direct operator APIs first (cheaper, no middleman), the aggregator for the rest. */
const PREFERENCE: readonly ProviderId[] = ['vodacom_tz', 'yas_tz', 'airtel', 'daraja', 'selcom'];

export function registryOf(list: PaymentProvider[]): ProviderRegistry {
  const byId = new Map(list.map((p) => [p.id as string, p]));
  const ordered = PREFERENCE.map((id) => byId.get(id)).filter((p): p is PaymentProvider => p !== undefined);
  return {
    get: (id) => byId.get(id),
    all: () => ordered,
    forNetwork: (network: Network, currency: string) =>
      ordered.find((p) => p.networks.includes(network) && (p.currencies as readonly string[]).includes(currency)),
  };
}

/** Providers the operator configured credentials for; throws a one-line Error when some are half set. */
export function liveProviders(env: NodeJS.ProcessEnv, timeoutMs?: number): PaymentProvider[] {
  const live: PaymentProvider[] = [];
  const daraja = darajaCredentialsFromEnv(env);
  if (daraja) live.push(createDarajaProvider({ baseUrl: daraja.baseUrl, credentials: daraja, sandbox: false, timeoutMs }));
  const vodacom = vodacomTzCredentialsFromEnv(env);
  if (vodacom) live.push(createVodacomTzProvider({ baseUrl: vodacom.baseUrl, credentials: vodacom, sandbox: false, timeoutMs }));
  const yas = yasTzCredentialsFromEnv(env);
  if (yas) live.push(createYasTzProvider({ baseUrl: yas.baseUrl, credentials: yas, sandbox: false, timeoutMs }));
  const airtel = airtelCredentialsFromEnv(env);
  if (airtel) live.push(createAirtelProvider({ baseUrl: airtel.baseUrl, credentials: airtel, sandbox: false, timeoutMs }));
  const selcom = selcomCredentialsFromEnv(env);
  if (selcom) live.push(createSelcomProvider({ baseUrl: selcom.baseUrl, credentials: selcom, sandbox: false, timeoutMs }));
  return live;
}

export function sandboxWanted(mode: SandboxMode, live: PaymentProvider[]): boolean {
  return mode === 'on' || (mode === 'auto' && live.length === 0);
}

/** Every provider, talking to NetFlow's own sandbox fakes at selfUrl (http://127.0.0.1:PORT). */
export function sandboxProviders(selfUrl: string): PaymentProvider[] {
  const base = (id: ProviderId) => `${selfUrl.replace(/\/$/, '')}/sandbox/${id}`;
  return [
    createDarajaProvider({ baseUrl: base('daraja'), credentials: DARAJA_SANDBOX_CREDENTIALS, sandbox: true }),
    createVodacomTzProvider({ baseUrl: base('vodacom_tz'), credentials: VODACOM_TZ_SANDBOX_CREDENTIALS, sandbox: true }),
    createYasTzProvider({ baseUrl: base('yas_tz'), credentials: YAS_TZ_SANDBOX_CREDENTIALS, sandbox: true }),
    createAirtelProvider({ baseUrl: base('airtel'), credentials: AIRTEL_SANDBOX_CREDENTIALS, sandbox: true }),
    createSelcomProvider({ baseUrl: base('selcom'), credentials: SELCOM_SANDBOX_CREDENTIALS, sandbox: true }),
  ];
}

/** Live providers, plus the sandbox fakes of the others when the sandbox is wanted. */
export function combine(live: PaymentProvider[], fakes: PaymentProvider[]): ProviderRegistry {
  const ids = new Set(live.map((p) => p.id));
  return registryOf([...live, ...fakes.filter((f) => !ids.has(f.id))]);
}
