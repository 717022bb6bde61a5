import type { TestHub } from './test-hub.js';

/**
 * A small client for the hub's admin HTTP API (Node's global fetch), for tests: sends the admin
 * token as `Authorization: Bearer …` unless told otherwise, JSON in, JSON (or bytes) out.
 */
export interface ApiRequest {
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is, with Content-Type application/json (for malformed bodies). */
  rawBody?: string;
  /** undefined: this client's admin token; null: no Authorization header; else this token. */
  token?: string | null;
  origin?: string;
  userAgent?: string;
  /** Further headers, sent as is (e.g. what a browser adds: Sec-Fetch-Site). */
  headers?: Record<string, string>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body, or undefined when the body is not JSON. */
  json: unknown;
}

export interface ApiErrorBody {
  error: { code: string; message: string };
}

export interface BoardJson {
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  deletedAt: number | null;
}

export interface BoardSummaryJson extends BoardJson {
  logLength: number;
  sizeBytes: number;
  lastEditAt: number;
  connections: number;
}

export interface ShareJson {
  id: string;
  boardId: string;
  role: 'view' | 'comment' | 'edit';
  label: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
}

export interface IssuedShareJson {
  share: ShareJson;
  token: string;
  url: string;
}

export interface KeyJson {
  kid: string;
  createdAt: number;
  retiredAt: number | null;
  current: boolean;
}

export interface ConnectionJson {
  id: number;
  boardId: string;
  shareId: string;
  label: string;
  role: string;
  ip: string | null;
  userAgent: string | null;
  connectedAt: number;
}

export const TEST_USER_AGENT = 'boardhub-integration-test/1.0';

export class AdminApi {
  readonly baseUrl: string;

  constructor(
    port: number,
    readonly token: string,
  ) {
    this.baseUrl = `http://127.0.0.1:${port}`;
  }

  /** Issues a fresh admin token for the hub (revoking earlier ones) and returns a client using it. */
  static for(hub: TestHub): AdminApi {
    return new AdminApi(hub.port, hub.hub.service.issueAdminToken({ name: 'test' }));
  }

  async request(method: string, path: string, options: ApiRequest = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = {
      'user-agent': options.userAgent ?? TEST_USER_AGENT,
      ...options.headers,
    };
    const token = options.token === undefined ? this.token : options.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (options.origin !== undefined) headers.origin = options.origin;
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  }

  /** Calls the API and fails unless the answer has `expectedStatus`; returns the JSON body. */
  async expect<T>(expectedStatus: number, method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.request(method, path, body === undefined ? {} : { body });
    if (response.status !== expectedStatus) {
      throw new Error(
        `${method} ${path}: expected ${expectedStatus}, got ${response.status}: ${response.text}`,
      );
    }
    return response.json as T;
  }

  /** The raw bytes of a response (board export). */
  async bytes(path: string): Promise<{ status: number; headers: Headers; bytes: Uint8Array }> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      headers: { authorization: `Bearer ${this.token}`, 'user-agent': TEST_USER_AGENT },
    });
    return {
      status: response.status,
      headers: response.headers,
      bytes: new Uint8Array(await response.arrayBuffer()),
    };
  }

  createBoard(name: string): Promise<BoardJson> {
    return this.expect<BoardJson>(201, 'POST', '/api/boards', { name });
  }

  createShare(
    boardId: string,
    role: ShareJson['role'],
    options: { label?: string; ttlMs?: number } = {},
  ): Promise<IssuedShareJson> {
    return this.expect<IssuedShareJson>(201, 'POST', `/api/boards/${boardId}/shares`, { role, ...options });
  }
}

/** The error code of an API (or upgrade) refusal body, or undefined. */
export function errorCodeOf(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null || !('error' in json)) return undefined;
  const error = (json as ApiErrorBody).error;
  return typeof error?.code === 'string' ? error.code : undefined;
}

/** The decoded header (part 0) or payload (part 1) of a JWT, unverified. */
export function jwtPart(token: string, part: 0 | 1): Record<string, unknown> {
  const encoded = token.split('.')[part];
  if (encoded === undefined) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as Record<string, unknown>;
}
