// What the payment service takes and gives: its options, the purchase views the portal shows,
// and the error the HTTP layer turns into a 4xx.
import type { Prisma, PrismaClient } from '../db/generated/client.js';
import type { Logger } from '../config/logger.js';
import type { Country } from './phone.js';
import type { CallbackRequest, Network, PaymentProvider } from './provider.js';

export interface ProviderRegistry {
  get(id: string): PaymentProvider | undefined;
  all(): PaymentProvider[];
  /** The enabled provider that collects from this network in this currency, if any. */
  forNetwork(network: Network, currency: string): PaymentProvider | undefined;
}

export interface PaymentServiceOptions {
  prisma: PrismaClient;
  providers: ProviderRegistry;
  /** Where providers reach NetFlow, e.g. https://pay.example.com (callback URLs are built on it). */
  publicUrl: string;
  /** NetFlow's own local address: the sandbox fakes call back here, whatever PUBLIC_URL says. */
  sandboxUrl?: string;
  country: Country;
  log: Logger;
  now?: () => Date;
}

export interface PurchaseInput {
  packageId: number;
  phone: string;
  provider?: string;
  network?: string;
  mac?: string;
  ip?: string;
  /** The router as the hotspot named it to the portal: its name or its address. */
  router: string;
}

export type PaymentStatus = 'pending' | 'paid' | 'failed' | 'expired';

export interface PurchaseView {
  id: string;
  status: PaymentStatus;
  package: { id: number; name: string; minutes: number };
  amountMinor: string;
  currency: string;
  provider: string;
  network: string;
  /** Masked: 2557••••0111. */
  phone: string;
  testMoney: boolean;
  createdAt: string;
  /** For the guest: what happened and what to do. */
  message: string;
  failureReason: string | null;
  receipt: string | null;
  /** Once paid: what the portal logs the device in with (User-Name and password). */
  access: { code: string; password: string; expiresAt: string | null } | null;
  /**
   * Only in the answer that created the purchase: the proof that this browser started it. Whoever
   * presents it later sees the access code; nobody else does (a phone number and a MAC are no proof).
   */
  token?: string;
}

/** A purchase as anyone who knows its id sees it: how it is going, nothing to log in with. */
export interface PurchaseStatusView {
  id: string;
  status: PaymentStatus;
  message: string;
  failureReason: string | null;
  testMoney: boolean;
  access: null;
  receipt: null;
}

/** What proves a payer: the provider's receipt, the phone that paid, the router it was bought at. */
export interface RecoverInput {
  phone: string;
  receipt: string;
  router: string;
}

/** A request the guest (or a provider) got wrong: the HTTP layer answers 4xx with the message. */
export class PaymentInputError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 403 | 404 | 409 | 422 | 503 = 400,
    readonly field?: string,
  ) {
    super(message);
  }
}

export type PaymentRow = Prisma.PaymentGetPayload<{ include: { package: true; entitlement: true } }>;

export interface PaymentService {
  /**
   * Starts a purchase; the answer carries its token. `tokens` are what the caller presented (a
   * double submit from the browser that started the open purchase gets that purchase back).
   */
  startPurchase(input: PurchaseInput, tokens?: readonly string[]): Promise<PurchaseView>;
  /** The whole purchase when one of `tokens` is its token; otherwise its status only. */
  getPurchase(id: string, tokens?: readonly string[]): Promise<PurchaseView | PurchaseStatusView | null>;
  /** The paid purchase matching receipt + phone at that router (the payer's proof), or null. */
  recoverPurchase(input: RecoverInput): Promise<PurchaseView | null>;
  /** A provider's callback: answers with the acknowledgement that provider expects. */
  handleCallback(providerId: string, request: CallbackRequest): Promise<{ status: number; headers?: Record<string, string>; body: string }>;
  /** One pass of the status job: asks providers about due pending payments, expires dead ones. */
  checkDue(limit?: number): Promise<number>;
  /** Waits for background work (initiations, confirmations) to finish. */
  drain(): Promise<void>;
}
