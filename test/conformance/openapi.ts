/**
 * Validates HTTP traffic against an OpenAPI 3.0 document, for the provider conformance tests (CloudMailin
 * now, Cloudflare Email Sending next). Give it a request or a response; it finds the operation by method
 * and path and answers a list of readable problems, empty when the traffic conforms.
 *
 * Library: `openapi-backend` (openapistack, MIT), pinned to 5.20.1. It was chosen because:
 * - It takes an OpenAPI 3.0 (or 3.1) document as an object, routes `{method, path}` to the operation and
 *   validates a whole request (path parameters, query, headers, cookies, JSON body) with
 *   `validateRequest`, and a response body against the schema of its status code with `validateResponse`.
 *   The schemas are compiled by Ajv 8, and `$ref`s are resolved by `@apidevtools/json-schema-ref-parser`.
 * - It is maintained: 5.x has had regular releases through 2025 and 2026, and it declares Node >= 20.
 *   5.20.1 is the newest release whose whole dependency tree supports Node 20: 5.21.x moved to
 *   json-schema-ref-parser 16, which requires Node >= 22.19. It has no native code and no install
 *   scripts.
 * - With `strict: true` it also checks that the document itself is valid OpenAPI before using it.
 * Rejected: `openapi-request-validator` and `openapi-response-validator` (kogosoftwarellc/open-api, no
 * release since 12.1.3 and no routing, so every caller would match paths by hand);
 * `@seriousme/openapi-schema-validator` and `openapi-schema-validator` (they check the document only, not
 * traffic); `openapi-validator` (a chai/jest plugin on axios 0.21 and openapi-response-validator 9,
 * responses only); `express-openapi-validator` (Express middleware, not usable on recorded traffic).
 *
 * What this wrapper adds to the library, and why:
 * - A synthetic `operationId` (`GET /path`) for each operation without one: openapi-backend compiles
 *   validators only for operations that have an id, and most CloudMailin operations have none.
 * - `ajv-formats`, so `format: uuid`, `date-time`, `uri`, `email`… are checked. Ajv ignores unknown
 *   formats by default.
 * - OpenAPI's `readOnly` rule: a request body must not send a readOnly property. Likewise `writeOnly`:
 *   a response body must not carry one. Both are Ajv keywords redefined per validation context. A readOnly
 *   property that is also `required` is not exempted from `required` in requests. No CloudMailin schema
 *   has one.
 * - Checks the library leaves to its caller, all driven by the document:
 *   - the response status must be one the operation documents (exact, `2XX` style, or `default`). The
 *     library silently accepts any undocumented status;
 *   - the `Content-Type` must be one the operation declares, for requests and responses;
 *   - the request must satisfy the operation's `security` (http bearer/basic, apiKey in a header, query
 *     or cookie). The library checks security only when it handles a request itself.
 * - Patches: explicit, named changes to the document before it is compiled, for places where a newer
 *   source wins over the file. Validation is never loosened globally.
 */
import { readFileSync } from 'node:fs';
import * as ajvFormats from 'ajv-formats';
import { type Document, OpenAPIBackend, type Operation, ValidationContext } from 'openapi-backend';
import { parse as parseYaml } from 'yaml';

export type JsonObject = Record<string, unknown>;
type Headers = Record<string, string | string[] | undefined>;
type AjvError = NonNullable<ReturnType<OpenAPIBackend['validateRequest']>['errors']>[number];

export interface RequestSample {
  method: string;
  /** Relative to the server URL (e.g. `/addresses/abc`), still percent-encoded, without the query string. */
  path: string;
  query?: Record<string, string | string[]>;
  headers?: Headers;
  /** Parsed JSON. A string is taken as the raw body, which must then parse as JSON. `undefined` means no body. */
  body?: unknown;
}

export interface ResponseSample {
  method: string;
  path: string;
  status: number;
  /** When given, the `content-type` is checked against the media types the response declares. */
  headers?: Headers;
  /** Parsed JSON, or `undefined` when the response has no body. */
  body?: unknown;
}

/** A deliberate change to the document, kept small and justified (see each spec's exceptions list). */
export interface SpecPatch {
  id: string;
  reason: string;
  apply(document: JsonObject): void;
}

export interface OperationRef {
  id: string;
  method: string;
  /** The path template, e.g. `/addresses/{addressID}`. */
  path: string;
}

export interface LoadOptions {
  patches?: readonly SpecPatch[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Loads a `.yml`/`.yaml`/`.json` OpenAPI document, applies `patches` in order, and compiles it. */
export async function loadOpenApi(file: string, options: LoadOptions = {}): Promise<OpenApiValidator> {
  const text = readFileSync(file, 'utf8');
  const raw = (/\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text)) as JsonObject;
  return OpenApiValidator.create(raw, options);
}

export class OpenApiValidator {
  private constructor(
    /** The document as compiled: patched, with synthetic operation ids, before `$ref` resolution. */
    readonly document: JsonObject,
    private readonly api: OpenAPIBackend,
  ) {}

  static async create(raw: JsonObject, options: LoadOptions = {}): Promise<OpenApiValidator> {
    const document = structuredClone(raw);
    for (const patch of options.patches ?? []) patch.apply(document);
    for (const [path, item] of Object.entries(objectAt(document, 'paths'))) {
      for (const method of METHODS) {
        const operation = (item as JsonObject)[method] as JsonObject | undefined;
        if (operation !== undefined) operation.operationId ??= operationKey(method, path);
      }
    }
    const api = new OpenAPIBackend({
      // openapi-backend resolves `$ref`s in place, so it gets its own copy.
      definition: structuredClone(document) as unknown as Document,
      strict: true,
      ignoreTrailingSlashes: false,
      ajvOpts: { allErrors: true },
      customizeAjv: (ajv, _options, context) => {
        addFormats(ajv);
        if (context === ValidationContext.RequestBody) forbidKeyword(ajv, 'readOnly');
        if (context === ValidationContext.Response) forbidKeyword(ajv, 'writeOnly');
        return ajv;
      },
    });
    await api.init();
    return new OpenApiValidator(document, api);
  }

  operations(): OperationRef[] {
    return this.api.getOperations().map(refOf);
  }

  /** The operation `{method, path}` routes to, or `undefined` when the document has none. */
  findOperation(method: string, path: string): OperationRef | undefined {
    const operation = this.match(method, path);
    return operation === undefined ? undefined : refOf(operation);
  }

  /** Documented response statuses of an operation, as written (`200`, `4XX`, `default`). */
  documentedStatuses(operation: OperationRef): string[] {
    return Object.keys(this.operation(operation).responses ?? {});
  }

  validateRequest(request: RequestSample): string[] {
    const operation = this.match(request.method, request.path);
    if (operation === undefined) return [noOperation(request)];
    const headers = lowerCaseHeaders(request.headers);
    const problems = [...this.checkSecurity(operation, headers, request.query ?? {})];

    const requestBody = operation.requestBody as
      | { required?: boolean; content?: Record<string, unknown> }
      | undefined;
    if (request.body !== undefined) {
      if (requestBody === undefined) problems.push('request has a body, but the operation takes none');
      else problems.push(...checkContentType('request', headers, Object.keys(requestBody.content ?? {})));
    }
    const result = this.api.validateRequest(
      {
        method: request.method,
        path: request.path,
        headers: definedHeaders(headers),
        query: request.query ?? {},
        body: request.body,
      },
      operation,
    );
    problems.push(...(result.errors ?? []).map((error) => describe(error, 'request')));
    return problems;
  }

  validateResponse(response: ResponseSample): string[] {
    const operation = this.match(response.method, response.path);
    if (operation === undefined) return [noOperation(response)];
    const responses = (operation.responses ?? {}) as Record<string, { content?: Record<string, unknown> }>;
    const key = statusKey(response.status, Object.keys(responses));
    if (key === undefined) {
      const documented = Object.keys(responses).join(', ');
      return [
        `status ${response.status} is not documented for ${refOf(operation).id} (documented: ${documented})`,
      ];
    }
    const content = responses[key]?.content;
    if (content === undefined || Object.keys(content).length === 0) {
      return response.body === undefined || response.body === ''
        ? []
        : [`status ${response.status} of ${refOf(operation).id} documents no body, but one was sent`];
    }
    if (response.body === undefined)
      return [`status ${response.status} of ${refOf(operation).id} needs a body`];
    const problems = response.headers
      ? checkContentType('response', lowerCaseHeaders(response.headers), Object.keys(content))
      : [];
    const result = this.api.validateResponse(response.body, operation, response.status);
    problems.push(...(result.errors ?? []).map((error) => describe(error, 'response')));
    return problems;
  }

  private match(method: string, path: string): Operation | undefined {
    return this.api.router.matchOperation({ method, path, headers: {} });
  }

  private operation(ref: OperationRef): Operation {
    const operation = this.api.getOperation(ref.id);
    if (operation === undefined) throw new Error(`no operation ${ref.id}`);
    return operation;
  }

  /** Any one requirement object must be met in full; an empty one (`{}`) means anonymous is allowed. */
  private checkSecurity(operation: Operation, headers: Headers, query: Record<string, unknown>): string[] {
    const requirements = (operation.security ?? []) as Array<Record<string, string[]>>;
    if (requirements.length === 0) return [];
    const schemes = ((this.document.components as JsonObject | undefined)?.securitySchemes ?? {}) as Record<
      string,
      JsonObject
    >;
    const failures: string[] = [];
    for (const requirement of requirements) {
      const unmet = Object.keys(requirement).filter((name) => !satisfies(schemes[name], headers, query));
      if (unmet.length === 0) return [];
      failures.push(unmet.join(' + '));
    }
    return [`request does not satisfy the operation's security (${failures.join(' or ')})`];
  }
}

export function operationKey(method: string, path: string): string {
  return `${method.toUpperCase()} ${path}`;
}

/** `JSON.parse` for a recorded body: `undefined` when empty, the raw text when it is not JSON. */
export function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A query string as the validator takes it: repeated names become arrays. */
export function queryObject(search: string | URLSearchParams): Record<string, string | string[]> {
  const params = typeof search === 'string' ? new URLSearchParams(search) : search;
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of params) {
    const previous = query[name];
    query[name] =
      previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  return query;
}

/** The object at `document[...keys]`; throws when it is missing, so a patch cannot silently miss its target. */
export function objectAt(document: JsonObject, ...keys: string[]): JsonObject {
  let current: unknown = document;
  for (const key of keys) {
    current = (current as JsonObject | undefined)?.[key];
    if (typeof current !== 'object' || current === null) {
      throw new Error(`the document has no object at ${keys.join(' → ')}`);
    }
  }
  return current as JsonObject;
}

function refOf(operation: Operation): OperationRef {
  return {
    id: operation.operationId ?? operationKey(operation.method, operation.path),
    method: operation.method.toUpperCase(),
    path: operation.path,
  };
}

function noOperation(sample: { method: string; path: string }): string {
  return `no operation in the document for ${sample.method.toUpperCase()} ${sample.path}`;
}

/** Ajv is reached only through openapi-backend's customizer, so its type comes from there. */
type Ajv = Parameters<NonNullable<ConstructorParameters<typeof OpenAPIBackend>[0]['customizeAjv']>>[0];

// ajv-formats is CommonJS with a `default` export; which of the two an ESM import sees depends on the loader.
const formatsModule = ajvFormats as unknown as { default?: unknown };
const addFormats = (typeof formatsModule.default === 'function' ? formatsModule.default : ajvFormats) as (
  ajv: Ajv,
) => Ajv;

/** Makes `keyword: true` fail wherever the instance has that property. */
function forbidKeyword(ajv: Ajv, keyword: 'readOnly' | 'writeOnly'): void {
  ajv.removeKeyword(keyword);
  ajv.addKeyword({ keyword, schemaType: 'boolean', validate: (flag: boolean) => !flag });
}

function statusKey(status: number, keys: string[]): string | undefined {
  return [String(status), `${Math.floor(status / 100)}XX`, 'default'].find((key) =>
    keys.some((candidate) => candidate.toUpperCase() === key.toUpperCase()),
  );
}

function checkContentType(side: 'request' | 'response', headers: Headers, declared: string[]): string[] {
  if (declared.length === 0) return [];
  const header = headers['content-type'];
  const mediaType = (Array.isArray(header) ? header[0] : header)?.split(';')[0]?.trim().toLowerCase();
  if (mediaType === undefined || mediaType === '') return [`${side} has a body but no content-type`];
  const matches = declared.some((type) => {
    const [range = '', sub = ''] = type.toLowerCase().split('/');
    const [actualType, actualSub] = mediaType.split('/');
    return (range === '*' || range === actualType) && (sub === '*' || sub === actualSub);
  });
  return matches ? [] : [`${side} content-type ${mediaType} is not one of ${declared.join(', ')}`];
}

function satisfies(
  scheme: JsonObject | undefined,
  headers: Headers,
  query: Record<string, unknown>,
): boolean {
  if (scheme === undefined) return false;
  if (scheme.type === 'http') {
    const value = headers.authorization;
    const authorization = Array.isArray(value) ? value[0] : value;
    const [name = '', credentials = ''] = (authorization ?? '').trim().split(/\s+/, 2);
    return name.toLowerCase() === String(scheme.scheme).toLowerCase() && credentials !== '';
  }
  if (scheme.type === 'apiKey') {
    const name = String(scheme.name);
    if (scheme.in === 'header') return Boolean(headers[name.toLowerCase()]);
    if (scheme.in === 'query') return query[name] !== undefined && query[name] !== '';
    if (scheme.in === 'cookie') {
      const cookie = headers.cookie;
      return (Array.isArray(cookie) ? cookie.join('; ') : (cookie ?? '')).split(/;\s*/).some((pair) => {
        return pair.startsWith(`${name}=`);
      });
    }
    return false;
  }
  // oauth2 / openIdConnect: a bearer token is all a request can show.
  return /^bearer\s+\S/i.test(String(headers.authorization ?? ''));
}

function lowerCaseHeaders(headers: Headers | undefined): Headers {
  return Object.fromEntries(
    Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
  );
}

function definedHeaders(headers: Headers): Record<string, string | string[]> {
  return Object.fromEntries(
    Object.entries(headers).filter((entry): entry is [string, string | string[]] => entry[1] !== undefined),
  );
}

const PLACES: Record<string, string> = {
  requestBody: 'request body',
  query: 'query',
  path: 'path',
  header: 'header',
  cookie: 'cookie',
};

/** One Ajv error as a line: where (request body, query, response body…), the JSON pointer, and what is wrong. */
function describe(error: AjvError, side: 'request' | 'response'): string {
  let where = 'response body';
  let pointer = error.instancePath;
  if (side === 'request') {
    const [, first = '', ...rest] = pointer.split('/');
    where = PLACES[first] ?? 'request';
    pointer = rest.length > 0 ? `/${rest.join('/')}` : '';
  }
  const params = error.params as Record<string, unknown>;
  let message = error.message ?? error.keyword;
  if (error.keyword === 'parse') return `request body is not valid JSON (${message})`;
  if (error.keyword === 'readOnly') message = 'is readOnly, so a request must not send it';
  else if (error.keyword === 'writeOnly') message = 'is writeOnly, so a response must not carry it';
  else if (error.keyword === 'enum') message += `: ${(params.allowedValues as unknown[]).join(', ')}`;
  else if (error.keyword === 'additionalProperties') message += `: ${String(params.additionalProperty)}`;
  else if (error.keyword === 'oneOf' && Array.isArray(params.passingSchemas)) {
    message += ` (it matches ${params.passingSchemas.length} of them)`;
  }
  return `${where}${pointer === '' ? '' : ` ${pointer}`} ${message}`;
}
