/**
 * The relay and errors plugins generate connection, edge and result types named after their field
 * (`QueryInboundAddressesConnection`, `MutationSendEmailResult`…). Their descriptions are derived here,
 * in one place, from the field they belong to, so that every type in the SDL is documented.
 */
import { type GraphQLSchema, isObjectType, isUnionType } from 'graphql';

export function describeGeneratedTypes(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.description || type.name.startsWith('__')) continue;
    const name = type.name;
    if (isObjectType(type) && name.endsWith('ConnectionEdge')) {
      type.description = `An item of ${name.slice(0, -'Edge'.length)} with its cursor.`;
    } else if (isObjectType(type) && name.endsWith('Connection')) {
      type.description =
        'A page of items (Relay connection). Ask for `pageInfo.endCursor` to fetch the next page.';
    } else if (isUnionType(type) && name.endsWith('Result')) {
      type.description = 'The data asked for, or an expected failure (each implements `Error`).';
    } else if (isObjectType(type) && name.endsWith('Success')) {
      type.description = 'The data asked for, wrapped in `data`.';
    }
  }
  const query = schema.getQueryType();
  for (const field of Object.values(query?.getFields() ?? {})) {
    for (const arg of field.args) {
      if (arg.description) continue;
      if (field.name === 'node') arg.description = 'A global id.';
      if (field.name === 'nodes')
        arg.description = 'Global ids; each answer is null when its id matches nothing.';
    }
  }
  return schema;
}
