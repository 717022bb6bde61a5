import { HubClientError } from '../../../src/client/hub-client.js';
import { unexpected } from './json-fields.js';

/**
 * One admin API call: the admin token as a Bearer header, JSON in, and every failure turned into
 * a HubClientError. The hub answers errors as {error: {code, message}}; no answer at all is
 * UNREACHABLE. The token never appears in a message (it is only ever in a header).
 */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface RequestOptions {
  /** Sent as JSON. */
  body?: unknown;
  /** Query parameters; undefined values are left out. */
  query?: Record<string, string | undefined>;
}

export interface HubRequester {
  /** The parsed JSON body of a 2xx answer. */
  json(method: string, path: string, options?: RequestOptions): Promise<unknown>;
  text(method: string, path: string, options?: RequestOptions): Promise<string>;
  bytes(method: string, path: string): Promise<{ bytes: Uint8Array; headers: Headers }>;
  /** For answers without a body (204). */
  empty(method: string, path: string): Promise<void>;
}

export interface RequesterOptions {
  baseUrl: string;
  token: () => string;
  fetch: FetchLike;
}

export function createRequester(options: RequesterOptions): HubRequester {
  const send = async (method: string, path: string, request: RequestOptions = {}): Promise<Response> => {
    const headers = new Headers({ Authorization: `Bearer ${options.token()}` });
    let body: string | undefined;
    if (request.body !== undefined) {
      // Only with a body: fastify refuses an empty body declared as JSON.
      headers.set('Content-Type', 'application/json');
      body = JSON.stringify(request.body);
    }
    const url = `${options.baseUrl}${path}${queryString(request.query)}`;
    let response: Response;
    try {
      response = await options.fetch(url, { method, headers, body });
    } catch {
      throw new HubClientError(
        'UNREACHABLE',
        `Cannot reach the hub at ${options.baseUrl || 'this address'}.`,
      );
    }
    if (!response.ok) throw await errorOf(response);
    return response;
  };

  return {
    async json(method, path, request) {
      const response = await send(method, path, request);
      const text = await readBody(response, () => response.text());
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw unexpected(`${method} ${path} did not answer JSON`);
      }
    },
    async text(method, path, request) {
      const response = await send(method, path, request);
      return readBody(response, () => response.text());
    },
    async bytes(method, path) {
      const response = await send(method, path);
      const buffer = await readBody(response, () => response.arrayBuffer());
      return { bytes: new Uint8Array(buffer), headers: response.headers };
    },
    async empty(method, path) {
      const response = await send(method, path);
      await readBody(response, () => response.arrayBuffer());
    },
  };
}

function queryString(query: Record<string, string | undefined> | undefined): string {
  if (query === undefined) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, value);
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** A connection dropped while the body was arriving is as good as no answer. */
async function readBody<T>(response: Response, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch {
    throw new HubClientError(
      'UNREACHABLE',
      'The connection to the hub broke off during the answer.',
      response.status,
    );
  }
}

async function errorOf(response: Response): Promise<HubClientError> {
  const text = await response.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const error = typeof body === 'object' && body !== null && 'error' in body ? body.error : undefined;
  if (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    'message' in error &&
    typeof error.code === 'string' &&
    typeof error.message === 'string'
  ) {
    return new HubClientError(error.code, error.message, response.status);
  }
  const status = [response.status, response.statusText].join(' ').trim();
  return new HubClientError('UNEXPECTED_RESPONSE', `The hub answered ${status}.`, response.status);
}
