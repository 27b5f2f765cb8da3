/**
 * Bounds on the shape of a GraphQL request's JSON (its variables and extensions), checked on the raw text
 * before `JSON.parse` builds a single object: a body of nested arrays costs memory and CPU in the parser and
 * again in variable coercion, whatever the key may do. The HTTP front has already checked the key and the
 * body's size (src/http-server.ts); this is the part only the request parser can see.
 */
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** The whole body nests at most this deep: a send's `{variables: {input: {to: [{…}]}}}` is 5. */
export const MAX_REQUEST_DEPTH = 16;
/** Values (objects, arrays, strings, numbers, literals) in one request: a full send holds a few hundred. */
export const MAX_REQUEST_VALUES = 10_000;

const OPEN_OBJECT = 0x7b; // {
const OPEN_ARRAY = 0x5b; // [
const CLOSE_OBJECT = 0x7d; // }
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \
const COMMA = 0x2c; // ,
const COLON = 0x3a; // :

function refusal(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
}

/**
 * Why `text` (JSON, or what claims to be) is too deep or holds too many values; null when it is within
 * bounds. One pass over the characters, nothing allocated. Values are counted as the JSON grammar
 * separates them: each container and each member or element; malformed JSON is left to `JSON.parse`.
 */
export function jsonShapeRefusal(
  text: string,
  limits: { maxDepth: number; maxValues: number } = {
    maxDepth: MAX_REQUEST_DEPTH,
    maxValues: MAX_REQUEST_VALUES,
  },
): string | null {
  let depth = 0;
  let values = 0;
  let inString = false;
  // Whether the text since the last separator holds a value not counted yet (a scalar outside strings).
  let pending = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i += 1;
      else if (c === QUOTE) inString = false;
      continue;
    }
    switch (c) {
      case QUOTE:
        inString = true;
        pending = true;
        break;
      case OPEN_OBJECT:
      case OPEN_ARRAY:
        depth += 1;
        values += 1;
        pending = false;
        if (depth > limits.maxDepth) return `The request nests deeper than ${limits.maxDepth} levels.`;
        break;
      case CLOSE_OBJECT:
      case CLOSE_ARRAY:
      case COMMA:
        if (pending) values += 1;
        pending = false;
        if (c !== COMMA) depth -= 1;
        break;
      case COLON:
        // An object key was a string: it is a name, not a value.
        pending = false;
        break;
      default:
        if (c > 0x20) pending = true;
    }
    if (values > limits.maxValues) return `The request holds more than ${limits.maxValues} values.`;
  }
  return null;
}

function checkShape(text: string | null): void {
  if (text === null) return;
  const refused = jsonShapeRefusal(text);
  if (refused) throw refusal(refused);
}

function isJsonPost(request: Request): boolean {
  const type = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  return request.method === 'POST' && (type === 'application/json' || type === 'application/graphql+json');
}

/**
 * Checks a JSON POST body's shape before yoga's parser (replaced here, as the last one set wins) turns it
 * into objects, and a GET's `variables` and `extensions` parameters before yoga parses them.
 */
export function useRequestShapeLimits(): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      if (!requestParser) return;
      const parse = requestParser;
      if (isJsonPost(request)) {
        setRequestParser(async (request) => {
          const text = await request.text();
          checkShape(text);
          // yoga's own parser keeps its messages for malformed JSON and for non-object bodies.
          const type = request.headers.get('content-type') ?? 'application/json';
          return parse(
            new fetchAPI.Request(request.url, {
              method: 'POST',
              headers: { 'content-type': type },
              body: text,
            }),
          );
        });
      } else if (request.method === 'GET') {
        const params = new URL(request.url).searchParams;
        checkShape(params.get('variables'));
        checkShape(params.get('extensions'));
      }
    },
  };
}
