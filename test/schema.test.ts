import { readFileSync } from 'node:fs';
import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { printSortedSchema, schema } from '../src/schema/index.js';

describe('schema', () => {
  it('matches the checked-in schema/schema.graphql (run `npm run schema:print` after changing the schema)', () => {
    const checkedIn = readFileSync(new URL('../schema/schema.graphql', import.meta.url), 'utf8');
    expect(printSortedSchema()).toBe(checkedIn);
  });

  it('describes every public type, field, argument and enum value', () => {
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || (isScalarType(type) && isSpecifiedScalarType(type))) continue;
      if (!type.description) missing.push(type.name);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of 'args' in field ? field.args : []) {
            if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
          }
        }
      }
      if (isEnumType(type)) {
        for (const value of type.getValues())
          if (!value.description) missing.push(`${type.name}.${value.name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('has the root fields of the product contract (DESIGN.md) that are built so far', () => {
    const query = Object.keys(schema.getQueryType()?.getFields() ?? {});
    const mutation = Object.keys(schema.getMutationType()?.getFields() ?? {});
    expect(query).toEqual(
      expect.arrayContaining([
        'node',
        'inboundAddresses',
        'inboundAddress',
        'incomingStatuses',
        'customDomains',
        'outboundMessages',
        'outboundMessage',
        'sendingDomains',
        'sendingDomain',
      ]),
    );
    expect(mutation).toEqual(
      expect.arrayContaining([
        'createInboundAddress',
        'updateInboundAddress',
        'deleteInboundAddress',
        'createCustomDomain',
        'deleteCustomDomain',
        'sendEmail',
        'sendRawEmail',
        'createSendingDomain',
        'verifySendingDomain',
        'deleteSendingDomain',
      ]),
    );
  });
});
