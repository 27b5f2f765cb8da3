/**
 * `JSONObject`: a JSON object passed through as it is, for a provider object whose fields are not
 * documented (CloudMailin's address `attachments`, the attachment store: the seed shows only `{}` and
 * "object or Attachment (object)"; NOTES §1.5 and open question 3). A typed GraphQL object would have to
 * invent field names the provider may not use; this keeps the provider's own.
 */
import { GraphQLError, Kind, type ValueNode, valueFromASTUntyped } from 'graphql';
import { builder } from './builder.js';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const JsonObjectScalar = builder.scalarType('JSONObject', {
  description:
    'A JSON object, passed through with the provider’s own field names (used where the provider does not document the fields).',
  serialize: (value) => {
    if (!isPlainObject(value)) throw new GraphQLError('JSONObject cannot represent a non-object value');
    return value;
  },
  parseValue: (value) => {
    if (!isPlainObject(value)) throw new GraphQLError('JSONObject must be a JSON object');
    return value;
  },
  parseLiteral: (node: ValueNode, variables) => {
    if (node.kind !== Kind.OBJECT) throw new GraphQLError('JSONObject must be an object literal');
    return valueFromASTUntyped(node, variables ?? undefined) as Record<string, unknown>;
  },
});
