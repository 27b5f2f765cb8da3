/**
 * The builder only configures: plugins (errors before relay so result unions wrap connections), scalars
 * and root types. Domain types live in one file each beside this one.
 */
import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin, { decodeGlobalID } from '@pothos/plugin-relay';
import ScopeAuthPlugin, { type AuthFailure } from '@pothos/plugin-scope-auth';
import { GraphQLError } from 'graphql';
import type { Context } from '../context.js';
import { ValidationError } from '../errors.js';

/** The scope a refusal names: the first single scope among the failures. */
function missingScope(failure: AuthFailure): string | null {
  if ('scope' in failure) return failure.scope;
  if ('failures' in failure) {
    for (const inner of failure.failures) {
      const scope = missingScope(inner);
      if (scope) return scope;
    }
  }
  return null;
}

/** `nodes(ids:)` answers at most this many ids: each may cost an upstream call. */
export const MAX_NODES_IDS = 100;

export const builder = new SchemaBuilder<{
  Context: Context;
  // The client API key's scopes (MAILGRAPH_API_KEYS): each field that reads or changes provider data declares
  // the one it needs, and is refused before its resolver (and any upstream call) runs.
  AuthScopes: { read: boolean; send: boolean; manage: boolean };
  // Fields are non-null unless they say `nullable: true`: clients should not null-check what is always there.
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    // An object whose shape the provider does not document (CloudMailin's attachment store); see json-object.ts.
    JSONObject: { Input: Record<string, unknown>; Output: Record<string, unknown> };
    ID: { Input: string; Output: string | number };
  };
}>({
  defaultFieldNullability: false,
  plugins: [ScopeAuthPlugin, ErrorsPlugin, RelayPlugin],
  scopeAuth: {
    // A subscription field's scopes are checked when the subscription starts, not at each event: a key
    // without them never starts the stream (by default only each event would be refused, while it runs).
    authorizeOnSubscribe: true,
    authScopes: (context) => ({
      read: context.scopes.has('read'),
      send: context.scopes.has('send'),
      manage: context.scopes.has('manage'),
    }),
    unauthorizedError: (_parent, _context, info, result) => {
      const scope = missingScope(result.failure);
      return new GraphQLError(
        scope
          ? `This API key lacks the ${scope} scope that ${info.parentType.name}.${info.fieldName} needs.`
          : `This API key may not read ${info.parentType.name}.${info.fieldName}.`,
        { extensions: { code: 'FORBIDDEN' } },
      );
    },
  },
  errors: {
    defaultTypes: [],
    directResult: true,
  },
  relay: {
    clientMutationId: 'omit',
    // A malformed global id is the caller's mistake: VALIDATION_FAILED, like every other bad argument.
    decodeGlobalID: (globalID) => {
      try {
        return decodeGlobalID(globalID);
      } catch {
        const message = 'Not a global id of this API.';
        throw new ValidationError(message, [{ path: 'id', message }]);
      }
    },
    cursorType: 'String',
    nodeTypeOptions: { description: 'An object with a global identity, fetchable through `node(id:)`.' },
    pageInfoTypeOptions: { description: 'Where a page of a connection sits in the whole list.' },
    nodeQueryOptions: {
      authScopes: { read: true },
      description:
        'Fetches any object by its global id: the object, or null when it no longer exists. When it cannot be looked up now, null with an error in `errors[]` says why.',
      args: { id: { description: 'A global id.' } },
    },
    nodesQueryOptions: {
      authScopes: { read: true },
      description: `Fetches several objects by their global ids (at most ${MAX_NODES_IDS}), in the order given; each is null when it does not exist.`,
      args: { ids: { description: `Global ids, at most ${MAX_NODES_IDS}.` } },
      resolve: (_root, args, _context, _info, resolveNodes) => {
        if (args.ids.length > MAX_NODES_IDS) {
          const message = `At most ${MAX_NODES_IDS} ids per request.`;
          throw new ValidationError(message, [{ path: 'ids', message }]);
        }
        return resolveNodes(args.ids);
      },
    },
    idFieldOptions: { description: 'The global id of this object (opaque; use it with `node(id:)`).' },
    cursorFieldOptions: { description: 'An opaque cursor for this edge, stable while the list grows.' },
    nodeFieldOptions: { description: 'The item at the end of this edge.', nullable: false },
    edgesFieldOptions: { description: 'The items of this page, each with its cursor.', nullable: false },
    pageInfoFieldOptions: { description: 'Where this page sits in the whole list.' },
    hasNextPageFieldOptions: {
      description:
        'Whether at least one more item follows this page (exact: never true before an empty page).',
    },
    hasPreviousPageFieldOptions: {
      description: 'Whether items precede this page (true when `after` was given).',
    },
    startCursorFieldOptions: { description: 'The cursor of the first item of this page.' },
    endCursorFieldOptions: { description: 'The cursor of the last item of this page.' },
    firstArgOptions: { description: 'How many items to return (1 to 100, default 20).' },
    afterArgOptions: { description: 'Return the items after this cursor.' },
    lastArgOptions: { description: 'How many items to return, counting back from `before`.' },
    beforeArgOptions: { description: 'Return the items before this cursor.' },
    nodesOnConnection: { description: 'The items of this page, without cursors (as `edges { node }`).' },
  },
});

builder.scalarType('DateTime', {
  description: 'An instant in time, as an ISO 8601 string in UTC (e.g. `2026-11-01T12:00:00.000Z`).',
  serialize: (value) => {
    const date = value instanceof Date ? value : new Date(value);
    if (Number.isNaN(date.getTime())) throw new TypeError('DateTime cannot represent an invalid date');
    return date.toISOString();
  },
  parseValue: (value) => {
    if (typeof value !== 'string') throw new TypeError('DateTime must be an ISO 8601 string');
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) throw new TypeError('DateTime must be an ISO 8601 string');
    return date;
  },
});

builder.queryType({
  description:
    'Reads across CloudMailin and Cloudflare Email Sending. A field that could not be read is null, with an entry in `errors[]` carrying `extensions.code`.',
});
builder.mutationType({
  description:
    'Changes to provider resources, and sending mail. Each returns a `<Field>Result` union: its payload, or an error implementing `Error`.',
});
