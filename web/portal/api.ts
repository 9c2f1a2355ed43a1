// The portal API (/api/v1/portal/*), typed by the server's own schemas (types only: nothing of
// the server is bundled).
import type {
  BrandingResponse,
  PackagesResponse,
  PhoneResponse,
  PurchaseAnyView,
  PurchaseView,
  RedeemResponse,
  StatusResponse,
} from '../../src/http/schemas/portal.js';
import { type RequestOptions, requestJson } from '../shared/api.js';

const BASE = '/api/v1/portal';

export type { BrandingResponse, PackagesResponse, PhoneResponse, PurchaseAnyView, PurchaseView, RedeemResponse, StatusResponse };

export interface DeviceRef {
  router: string;
  mac?: string;
  ip?: string;
}

/** Only the fields the hotspot gave: empty ones are left out (the API treats '' as absent, but less is clearer). */
function device(d: DeviceRef): DeviceRef {
  return { router: d.router, ...(d.mac ? { mac: d.mac } : {}), ...(d.ip ? { ip: d.ip } : {}) };
}

export const portalApi = {
  packages: (router: string, o?: RequestOptions) =>
    requestJson<PackagesResponse>(`${BASE}/packages?router=${encodeURIComponent(router)}`, o),
  branding: (o?: RequestOptions) => requestJson<BrandingResponse>(`${BASE}/branding`, o),
  status: (d: DeviceRef, codes: string[], o?: RequestOptions) =>
    requestJson<StatusResponse>(`${BASE}/status`, { ...o, method: 'POST', body: { ...device(d), codes } }),
  phone: (phone: string, o?: RequestOptions) => requestJson<PhoneResponse>(`${BASE}/phone?phone=${encodeURIComponent(phone)}`, o),
  // Starting a purchase is not retried blindly: a second POST could push a second prompt.
  purchase: (d: DeviceRef, body: { packageId: number; phone: string; provider?: string }, o?: RequestOptions) =>
    requestJson<PurchaseView>(`${BASE}/purchases`, {
      retries: 0,
      timeoutMs: 20_000,
      ...o,
      method: 'POST',
      body: { ...device(d), ...body },
    }),
  purchaseStatus: (id: string, token: string | null, o?: RequestOptions) =>
    requestJson<PurchaseAnyView>(`${BASE}/purchases/${encodeURIComponent(id)}`, {
      ...o,
      headers: token ? { 'x-purchase-token': token } : {},
    }),
  recover: (router: string, phone: string, receipt: string, o?: RequestOptions) =>
    requestJson<PurchaseView>(`${BASE}/purchases/recover`, { ...o, method: 'POST', body: { router, phone, receipt } }),
  redeem: (d: DeviceRef, code: string, o?: RequestOptions) =>
    requestJson<RedeemResponse>(`${BASE}/vouchers/redeem`, { retries: 1, ...o, method: 'POST', body: { ...device(d), code } }),
};
