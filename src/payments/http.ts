// The one way adapters talk HTTP to a provider: JSON in and out, a deadline, and the exchange kept
// (secrets redacted) so it can be stored with the payment.

export interface HttpExchange {
  status: number;
  /** Parsed JSON, or the text when the body is not JSON (providers do send HTML error pages). */
  body: unknown;
  headers: Record<string, string>;
}

export class ProviderHttpError extends Error {
  constructor(
    message: string,
    readonly kind: 'timeout' | 'network',
  ) {
    super(message);
  }
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  headers?: Record<string, string>;
  /** Sent as JSON unless a string (sent as is). */
  body?: unknown;
  timeoutMs?: number;
}

/** Sends one request. Network failures and timeouts throw ProviderHttpError; any HTTP status returns. */
export async function httpJson(request: HttpRequest): Promise<HttpExchange> {
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  let body: string | undefined;
  if (request.body !== undefined) {
    body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  }
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers,
      body,
      signal: AbortSignal.timeout(request.timeoutMs ?? 15_000),
    });
  } catch (err) {
    const e = err as Error;
    if (e.name === 'TimeoutError' || e.name === 'AbortError')
      throw new ProviderHttpError(`${request.method} ${request.url}: no answer in time`, 'timeout');
    throw new ProviderHttpError(`${request.method} ${request.url}: ${e.message}`, 'network');
  }
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text.length > 0 ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed, headers: Object.fromEntries(response.headers.entries()) };
}

const SECRET_KEYS = /pass(word|key)?|secret|token|authorization|api[-_]?key|pin|signature|digest|session[-_]?key/i;

/** A copy safe to store and log: values under secret-looking keys are replaced. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, SECRET_KEYS.test(k) ? '[redacted]' : redact(v)]),
    );
  }
  return value;
}

/** A header value as one string (Node gives arrays for repeated headers). */
export function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
