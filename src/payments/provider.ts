// The one small interface every mobile-money provider adapter implements (see
// ../shared/notes/payments.md §7). The payment service (src/payments/service.ts) owns the state
// machine and the database; adapters only speak their provider's wire format.

export type ProviderId = 'daraja' | 'vodacom_tz' | 'yas_tz' | 'airtel' | 'selcom';

/** Mobile networks (the guest's wallet). A phone prefix only pre-selects one: numbers are portable. */
export type Network = 'vodacom' | 'yas' | 'airtel' | 'halotel' | 'ttcl' | 'safaricom' | 'telkom';

export type Outcome = 'pending' | 'succeeded' | 'failed' | 'unknown';

export type FailureReason =
  | 'cancelled'
  | 'insufficient_funds'
  | 'wrong_pin'
  | 'timeout'
  | 'unreachable'
  | 'busy_retry_later'
  | 'push_failed'
  | 'invalid_msisdn'
  | 'duplicate'
  | 'config_error'
  | 'provider_error'
  | 'unknown';

export interface InitiateRequest {
  /** Our payment id (uuid). */
  paymentId: string;
  /** Our per-attempt reference, [A-Z0-9]{8,12}: sent wherever the provider accepts our id. */
  reference: string;
  /** E.164 digits without '+', e.g. 255754000111 or 254712000111. */
  msisdn: string;
  network: Network;
  /** Integer minor units (ISO 4217: TZS and KES have 2 decimals; providers take whole units). */
  amountMinor: bigint;
  currency: 'TZS' | 'KES';
  /** Short description shown on the phone (≤ 12 characters where the provider limits it). */
  label: string;
  /** Where the provider must POST its result (includes an unguessable per-payment token). */
  callbackUrl: string;
}

export interface InitiateResult {
  /** 'pending': the push was sent, wait for the callback; 'succeeded' only for synchronous providers. */
  outcome: Outcome;
  /** The provider's id for this transaction (CheckoutRequestID, transid, …), when it gives one. */
  providerRef: string | null;
  reason?: FailureReason;
  /** The provider's own words, for the operator (never shown raw to guests). */
  message?: string;
  /** Request and response as exchanged, secrets redacted: stored with the payment. */
  raw: unknown;
}

export interface CallbackRequest {
  headers: Record<string, string | string[] | undefined>;
  /** The exact bytes received (signatures are computed over them). */
  rawBody: Buffer;
  /** The client address as seen by NetFlow (for providers that authenticate by IP). */
  remoteIp: string;
  query: Record<string, string>;
}

export interface ParsedCallback {
  /** False when a signature or checksum is wrong: such a callback never changes anything. */
  authentic: boolean;
  why?: string;
  /** Our reference, when the provider echoes it. */
  reference: string | null;
  providerRef: string | null;
  outcome: Outcome;
  reason?: FailureReason;
  /** The provider's receipt number (e.g. M-Pesa receipt), shown to the guest and the operator. */
  receipt?: string;
  amountMinor?: bigint;
  currency?: string;
  msisdn?: string;
  /**
   * True when the callback carries no signature, so a success must be confirmed with
   * queryStatus before access is granted.
   */
  needsConfirmation: boolean;
  /**
   * For a verified signed callback: what identifies this very message (its signature, which covers
   * its timestamp). The service processes one message once: a replay of it is refused.
   */
  replayKey?: string;
  /** The exact acknowledgement this provider expects back. */
  ack: { status: number; headers?: Record<string, string>; body: string };
  raw: unknown;
}

export interface StatusResult {
  outcome: Outcome;
  reason?: FailureReason;
  receipt?: string;
  amountMinor?: bigint;
  currency?: string;
  raw: unknown;
}

export interface PaymentProvider {
  id: ProviderId;
  /** As the guest sees it on the portal, e.g. "M-Pesa (Vodacom)". */
  displayName: string;
  currencies: ReadonlyArray<'TZS' | 'KES'>;
  networks: ReadonlyArray<Network>;
  /** Callbacks carry a verifiable signature/checksum. */
  signedCallbacks: boolean;
  /**
   * False when the provider calls back to one URL registered with it (Airtel, Yas) instead of the
   * per-payment URL we send: such callbacks cannot carry our per-payment token. Default true.
   */
  callbackUrlPerPayment?: boolean;
  /**
   * Set when the adapter believes (or refuses) callbacks by their source address: the variable
   * holding that address list. Such a provider cannot run behind TRUST_PROXY=true, where any
   * client's X-Forwarded-For would be taken for the source.
   */
  callbackAddressList?: string;
  /** Seconds to wait before the first status query for a payment without callback. */
  minPollDelaySeconds: number;
  /** After this many seconds without a result, a push is dead (the guest never approved it). */
  expirySeconds: number;
  /** True when this instance talks to NetFlow's local sandbox, i.e. test money. */
  sandbox: boolean;
  /**
   * Hosts the guest's own browser must open to pay (a hosted checkout page), which the router's
   * walled garden then lets through before login. None for a push approved on the phone (STK, USSD).
   */
  guestHosts?: readonly string[];
  initiate(request: InitiateRequest): Promise<InitiateResult>;
  parseCallback(request: CallbackRequest): ParsedCallback | Promise<ParsedCallback>;
  queryStatus(payment: { reference: string; providerRef: string | null; msisdn: string; createdAt: Date }): Promise<StatusResult>;
}

/** ISO 4217 minor units → the whole-unit amount providers take (TZS/KES prices are whole shillings). */
export function majorUnits(amountMinor: bigint, currency: 'TZS' | 'KES'): number {
  void currency; // both have exponent 2
  return Number(amountMinor / 100n);
}

export function minorUnits(amount: number | string, currency: 'TZS' | 'KES'): bigint {
  void currency;
  const n = typeof amount === 'string' ? Number(amount) : amount;
  return BigInt(Math.round(n * 100));
}
