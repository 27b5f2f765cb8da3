/**
 * The builder only configures: plugins (errors before relay so result unions wrap connections), scalars
 * and root types. Domain types live in one file each beside this one.
 */
import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import type { Context } from '../context.js';

export const builder = new SchemaBuilder<{
  Context: Context;
  // Fields are non-null unless they say `nullable: true`: clients should not null-check what is always there.
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    ID: { Input: string; Output: string | number };
  };
}>({
  defaultFieldNullability: false,
  plugins: [ErrorsPlugin, RelayPlugin],
  errors: {
    defaultTypes: [],
    directResult: true,
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodeTypeOptions: { description: 'An object with a global identity, fetchable through `node(id:)`.' },
    pageInfoTypeOptions: { description: 'Where a page of a connection sits in the whole list.' },
    nodeQueryOptions: { description: 'Fetches any object by its global id.' },
    nodesQueryOptions: { description: 'Fetches several objects by their global ids, in the order given.' },
    idFieldOptions: { description: 'The global id of this object (opaque; use it with `node(id:)`).' },
    cursorFieldOptions: { description: 'An opaque cursor for this edge, stable while the list grows.' },
    nodeFieldOptions: { description: 'The item at the end of this edge.', nullable: false },
    edgesFieldOptions: { description: 'The items of this page, each with its cursor.', nullable: false },
    pageInfoFieldOptions: { description: 'Where this page sits in the whole list.' },
    hasNextPageFieldOptions: { description: 'Whether more items follow this page.' },
    hasPreviousPageFieldOptions: { description: 'Whether items precede this page.' },
    startCursorFieldOptions: { description: 'The cursor of the first item of this page.' },
    endCursorFieldOptions: { description: 'The cursor of the last item of this page.' },
    firstArgOptions: { description: 'How many items to return (1 to 100, default 20).' },
    afterArgOptions: { description: 'Return the items after this cursor.' },
    lastArgOptions: { description: 'How many items to return, counting back from `before`.' },
    beforeArgOptions: { description: 'Return the items before this cursor.' },
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

builder.queryType({ description: 'Reads across CloudMailin (and, later, Cloudflare Email Sending).' });
builder.mutationType({ description: 'Changes to provider resources and sending mail.' });
