// Calls to the Atelier API: JSON in and out, every failure turned into a sentence a person can read.
export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export interface ApiRequest {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  json?: unknown;
  signal?: AbortSignal;
  /** statuses whose JSON body is still the answer (GET /api/health says 503 with a full report) */
  acceptStatus?: number[];
}

type Unauthorized = (message: string) => void;
let onUnauthorized: Unauthorized = () => {};

/** The session store listens here: a 401 on any call but the session's own means the sign-in has ended. */
export function whenUnauthorized(listener: Unauthorized): void {
  onUnauthorized = listener;
}

export async function api<T>(path: string, request: ApiRequest = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: request.method ?? 'GET',
      headers: request.json === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: request.json === undefined ? undefined : JSON.stringify(request.json),
      credentials: 'same-origin',
      signal: request.signal,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'The Atelier API did not answer: check that `npm start` is still running, then try again.');
  }
  const body = await readBody(response);
  if (response.ok || request.acceptStatus?.includes(response.status)) return body as T;
  const message = errorMessage(response, body);
  if (response.status === 401 && !path.startsWith('/api/session')) onUnauthorized(message);
  throw new ApiError(response.status, message);
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function errorMessage(response: { status: number; statusText: string }, body: unknown): string {
  if (body && typeof body === 'object' && typeof (body as { error?: unknown }).error === 'string') return (body as { error: string }).error;
  if (response.status === 502 || response.status === 504) return 'The Atelier API is not reachable right now (gateway error): try again in a moment.';
  return `The API answered ${response.status} ${response.statusText || ''}`.trim() + ': try again, and check the API log if it keeps happening.';
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
