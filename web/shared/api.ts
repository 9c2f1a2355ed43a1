// The one way the pages talk to NetFlow: JSON over fetch, same origin, with a timeout and a few
// retries for what is worth retrying (the network failed or timed out, or a 502/503/504), so that a
// slow or briefly unreachable API costs the guest a spinner, not a dead page. Every failure is an
// ApiError whose `kind` tells the page what to say: the API answered with an error (`http`), or it
// could not be reached at all (`network`, `timeout`).

export type ApiErrorKind = 'http' | 'network' | 'timeout';

export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    readonly status = 0,
    /** The error body NetFlow sent ({ error, field?, errorSw?, reason? }), when it sent one. */
    readonly body: { error?: string; errorSw?: string; field?: string; reason?: string } | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  headers?: Record<string, string>;
  /** Per attempt. */
  timeoutMs?: number;
  /** Further attempts after the first (only for network errors, timeouts and 502/503/504). */
  retries?: number;
  /** Wait before retry n is retryDelayMs * n. */
  retryDelayMs?: number;
  /** Called before each retry, so the page can say "still trying". */
  onRetry?: (attempt: number, error: ApiError) => void;
  signal?: AbortSignal;
}

const RETRYABLE_STATUS = new Set([502, 503, 504]);

export async function requestJson<T>(url: string, options: RequestOptions = {}): Promise<T> {
  const { method = 'GET', body, timeoutMs = 8000, retries = 2, retryDelayMs = 700, onRetry, signal } = options;
  let attempt = 0;
  for (;;) {
    try {
      return await once<T>(url, method, body, options.headers, timeoutMs, signal);
    } catch (err) {
      const error = err instanceof ApiError ? err : new ApiError('network', String(err));
      const retryable = error.kind !== 'http' || RETRYABLE_STATUS.has(error.status);
      if (!retryable || attempt >= retries || signal?.aborted) throw error;
      attempt++;
      onRetry?.(attempt, error);
      await sleep(retryDelayMs * attempt, signal);
    }
  }
}

async function once<T>(
  url: string,
  method: string,
  body: unknown,
  headers: Record<string, string> | undefined,
  timeoutMs: number,
  outer: AbortSignal | undefined,
): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const onOuterAbort = () => controller.abort();
  outer?.addEventListener('abort', onOuterAbort);
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal,
    });
  } catch (err) {
    if (controller.signal.aborted && !outer?.aborted) throw new ApiError('timeout', `No answer within ${timeoutMs / 1000} s`);
    throw new ApiError('network', err instanceof Error ? err.message : String(err));
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuterAbort);
  }
  const text = await response.text().catch(() => '');
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!response.ok) {
    const errorBody = parsed && typeof parsed === 'object' ? (parsed as ApiError['body']) : null;
    throw new ApiError('http', errorBody?.error ?? `HTTP ${response.status}`, response.status, errorBody);
  }
  return parsed as T;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
