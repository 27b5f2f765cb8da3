/**
 * A property over the running server: whatever document, variables, body and headers a client sends —
 * documents from a small grammar over the real schema's names, garbage text, deep nesting — the GraphQL
 * layer never answers 5xx, never shows a stack trace, and an invalid request never reaches the upstream.
 */
import fc from 'fast-check';
import {
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../src/schema/index.js';
import { type Stack, startStack } from './helpers/stack.js';

const RUNS = 300;
const KEY = 'fuzz-client-key-0123456789';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { MAILGRAPH_API_KEYS: `${KEY}:read+send+manage` } });
});
afterAll(() => stack.close());

// The names the grammar draws from: every field, argument, input field and enum value of the schema.
const types = Object.values(schema.getTypeMap()).filter(
  (type: GraphQLNamedType) => !type.name.startsWith('__'),
);
const fieldNames = new Set<string>(['__typename', '__schema', '__type']);
const argumentNames = new Set<string>();
const enumValues = new Set<string>();
for (const type of types) {
  if (isObjectType(type) || isInterfaceType(type)) {
    for (const field of Object.values(type.getFields())) {
      fieldNames.add(field.name);
      for (const arg of field.args) argumentNames.add(arg.name);
    }
  } else if (isInputObjectType(type)) {
    for (const field of Object.values(type.getFields())) argumentNames.add(field.name);
  } else if (isEnumType(type)) {
    for (const value of type.getValues()) enumValues.add(value.name);
  }
}
const typeNames = types.map((type) => type.name);

const identifier = fc.stringMatching(/^[_A-Za-z][_0-9A-Za-z]{0,12}$/);
const anyFieldName = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...fieldNames) },
  { weight: 1, arbitrary: identifier },
);
const anyArgumentName = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...argumentNames) },
  { weight: 1, arbitrary: identifier },
);
const variableName = fc.constantFrom('a', 'b', 'input', 'id', 'first');
const DEMO_IDS = [
  // An inbound address of the emulator's demo data, as a raw id and as a global id.
  '"aaaa740b4c5c37b1aaaa"',
  `"${Buffer.from('InboundAddress:aaaa740b4c5c37b1aaaa').toString('base64')}"`,
  `"${Buffer.from('InboundAddress:nope').toString('base64')}"`,
  '"%%%"',
  '"mail.example.com"',
];

/** Any literal: garbage of every kind, a variable, or nested lists and objects of them. */
const { value: anyValue } = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer({ min: -5, max: 200 }).map(String),
    fc.constantFrom('2147483648', '-0', '1e309', '0.5', 'true', 'false', 'null', '""', ...DEMO_IDS),
    fc.constantFrom(...enumValues),
    fc.string({ maxLength: 40 }).map((text) => JSON.stringify(text)),
    variableName.map((name) => `$${name}`),
    fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(', ')}]`),
    fc
      .array(fc.tuple(anyArgumentName, tie('value')), { maxLength: 4 })
      .map((entries) => `{ ${entries.map(([name, value]) => `${name}: ${value}`).join(', ')} }`),
  ),
}));

/** A literal meant for `type`: mostly of the right kind (small numbers, demo ids), sometimes anything. */
function valueFor(type: GraphQLInputType, depth = 0): fc.Arbitrary<string> {
  const inner = getNullableType(type);
  let fitting: fc.Arbitrary<string>;
  if (isListType(inner)) {
    fitting = fc
      .array(valueFor(inner.ofType, depth + 1), { maxLength: 3 })
      .map((items) => `[${items.join(', ')}]`);
  } else if (isEnumType(inner)) {
    fitting = fc.constantFrom(...inner.getValues().map((value) => value.name));
  } else if (isInputObjectType(inner)) {
    const fields = Object.values(inner.getFields());
    fitting =
      depth > 2
        ? fc.constant('{}')
        : fc
            .subarray(fields)
            .chain((chosen) =>
              fc.tuple(
                ...chosen.map((field) =>
                  valueFor(field.type, depth + 1).map((value) => `${field.name}: ${value}`),
                ),
              ),
            )
            .map((entries) => `{ ${entries.join(', ')} }`);
  } else if (inner.name === 'Int') {
    fitting = fc.integer({ min: 0, max: 12 }).map(String);
  } else if (inner.name === 'Boolean') {
    fitting = fc.constantFrom('true', 'false');
  } else if (inner.name === 'ID') {
    fitting = fc.constantFrom(...DEMO_IDS);
  } else {
    fitting = fc.oneof(
      fc.constantFrom('"hello@example.com"', '"alice@example.net"', '"Hello"', '"status_category:rejected"'),
      fc.string({ maxLength: 30 }).map((text) => JSON.stringify(text)),
    );
  }
  return fc.oneof({ weight: 12, arbitrary: fitting }, { weight: 1, arbitrary: anyValue });
}

function argumentsFor(field: GraphQLField<unknown, unknown>): fc.Arbitrary<string> {
  // Required arguments always (mostly), optional ones at random.
  const required = field.args.filter((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined);
  const optional = field.args.filter((arg) => !required.includes(arg));
  const real = fc
    .tuple(fc.subarray(required, { minLength: Math.max(0, required.length - 1) }), fc.subarray(optional))
    .chain(([must, may]) =>
      fc.tuple(...[...must, ...may].map((arg) => valueFor(arg.type).map((value) => `${arg.name}: ${value}`))),
    );
  const garbage = fc.array(
    fc.tuple(anyArgumentName, anyValue).map(([name, value]) => `${name}: ${value}`),
    { maxLength: 2 },
  );
  return fc
    .tuple(real, fc.oneof({ weight: 12, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: garbage }))
    .map(([args, extra]) => [...args, ...extra])
    .map((args) => (args.length === 0 ? '' : `(${args.join(', ')})`));
}

const selections = new Map<string, fc.Arbitrary<string>>();

/** A selection set on `type`: its own fields (with arguments of their types) most of the time, any name sometimes. */
function selectionFor(type: GraphQLNamedType, depth: number): fc.Arbitrary<string> {
  const key = `${type.name}/${depth}`;
  const known = selections.get(key);
  if (known) return known;
  const items: fc.Arbitrary<string>[] = [fc.constant('__typename')];
  if (isObjectType(type) || isInterfaceType(type)) {
    for (const field of Object.values(type.getFields())) {
      const target = getNamedType(field.type);
      const composite = isObjectType(target) || isInterfaceType(target) || isUnionType(target);
      if (composite && depth <= 0) continue;
      const nested = composite
        ? fc.constant(null).chain(() => selectionFor(target, depth - 1))
        : fc.constant('');
      items.push(
        fc
          .tuple(fc.option(identifier, { nil: undefined, freq: 6 }), argumentsFor(field), nested)
          .map(([alias, args, inner]) => `${alias ? `${alias}: ` : ''}${field.name}${args} ${inner}`),
      );
    }
  }
  if (isInterfaceType(type) || isUnionType(type)) {
    const members = isUnionType(type) ? type.getTypes() : schema.getPossibleTypes(type);
    for (const member of members) {
      if (depth > 0) {
        items.push(
          fc
            .constant(null)
            .chain(() => selectionFor(member, depth - 1))
            .map((inner) => `... on ${member.name} ${inner}`),
        );
      }
    }
  }
  const foreign = fc.oneof(
    fc
      .tuple(anyFieldName, fc.constantFrom('', '(first: 1)', '(id: "x")'))
      .map(([name, args]) => `${name}${args}`),
    fc.tuple(fc.constantFrom(...typeNames)).map(([other]) => `... on ${other} { __typename }`),
    fc
      .tuple(anyFieldName, fc.constantFrom('@skip(if: true)', '@include(if: $a)', '@deprecated', '@nope'))
      .map(([name, directive]) => `${name} ${directive}`),
  );
  const arbitrary = fc
    .array(fc.oneof({ weight: 20, arbitrary: fc.oneof(...items) }, { weight: 1, arbitrary: foreign }), {
      minLength: 1,
      maxLength: 3,
    })
    .map((chosen) => `{ ${chosen.join(' ')} }`);
  selections.set(key, arbitrary);
  return arbitrary;
}

const querySelection = selectionFor(schema.getQueryType() as GraphQLObjectType, 3);
const mutationSelection = selectionFor(schema.getMutationType() as GraphQLObjectType, 2);

const variableDefinitions = fc
  .array(
    fc.tuple(
      variableName,
      fc.constantFrom(
        'Int',
        'Int!',
        'String',
        'ID!',
        '[ID!]!',
        'SendEmailInput!',
        'EmailProvider',
        'Nope',
        '[[Int]]',
      ),
    ),
    { maxLength: 2 },
  )
  .map((defs) =>
    defs.length === 0 ? '' : `(${defs.map(([name, type]) => `$${name}: ${type}`).join(', ')})`,
  );

const grammarDocument = fc
  .oneof(
    {
      weight: 4,
      arbitrary: fc.tuple(fc.constantFrom('', 'query', 'query Q'), fc.constantFrom(''), querySelection),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom('query', 'query Q'), variableDefinitions, querySelection),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom('mutation', 'mutation Q'), variableDefinitions, mutationSelection),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(
        fc.constantFrom('subscription', 'fragment F on Query', 'query'),
        fc.constant(''),
        selectionFor(schema.getQueryType() as GraphQLObjectType, 1),
      ),
    },
  )
  .map(([keyword, defs, set]) => (keyword === '' ? set : `${keyword}${defs} ${set}`));

const deepDocument = fc
  .tuple(anyFieldName, fc.integer({ min: 5, max: 400 }))
  .map(([name, depth]) => `${`{ ${name} `.repeat(depth)}${'}'.repeat(depth)}`);

const document = fc.oneof(
  { weight: 6, arbitrary: grammarDocument },
  { weight: 1, arbitrary: deepDocument },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.fullUnicodeString({ maxLength: 60 }) },
);

const deepJson = fc
  .tuple(fc.constantFrom('[', '{"a":'), fc.integer({ min: 1, max: 3000 }))
  .map(
    ([open, depth]) =>
      JSON.parse(`${open.repeat(depth)}1${(open === '[' ? ']' : '}').repeat(depth)}`) as unknown,
  );

const variables = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  {
    weight: 3,
    arbitrary: fc.dictionary(
      variableName,
      fc.oneof({ weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }) }, { weight: 1, arbitrary: deepJson }),
      { maxKeys: 3 },
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,60}$/);
// Mostly what a client sends, so that most requests reach the GraphQL layer; sometimes anything.
const headers = fc.record(
  {
    authorization: fc.oneof(
      { weight: 8, arbitrary: fc.constant(`Bearer ${KEY}`) },
      { weight: 1, arbitrary: headerValue },
      { weight: 1, arbitrary: headerValue.map((value) => `Bearer ${value}`) },
    ),
    'content-type': fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8') },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          'application/JSON',
          'text/plain',
          'application/x-www-form-urlencoded',
          'application/graphql',
          'multipart/form-data; boundary=x',
        ),
      },
    ),
    // Not text/event-stream: a valid subscription would stream until the test ends it. Not text/html:
    // GraphiQL's page is not the GraphQL layer (test/graphiql.test.ts covers it).
    accept: fc.oneof(
      {
        weight: 8,
        arbitrary: fc.constantFrom(
          'application/graphql-response+json',
          'application/json',
          'application/graphql-response+json, application/json;q=0.9',
        ),
      },
      { weight: 1, arbitrary: fc.constantFrom('application/xml', 'image/*') },
    ),
    origin: fc.constantFrom('https://evil.example', 'null'),
    'x-graphql-yoga-csrf': fc.constant('1'),
  },
  { requiredKeys: ['authorization', 'content-type'] },
);

const anyRequest = fc.record({
  method: fc.constantFrom('POST', 'POST', 'POST', 'GET'),
  document,
  variables,
  headers,
  operationName: fc.oneof(
    { weight: 6, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constant('Q') },
    { weight: 1, arbitrary: identifier },
  ),
  // Sometimes the body is not the JSON object the document and variables make.
  rawBody: fc.oneof(
    { weight: 7, arbitrary: fc.constant(undefined) },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.string({ maxLength: 100 }),
        fc.constantFrom(
          '[]',
          'null',
          '{"query":1}',
          '[{"query":"{ __typename }"}]',
          '{"query":"{ __typename }"',
        ),
      ),
    },
  ),
});

/** A well-formed request from a real client: only the document (from the grammar) and the variables vary. */
const clientRequest = fc.record({
  method: fc.constant('POST'),
  document: grammarDocument,
  variables: fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.dictionary(variableName, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 2 }) },
  ),
  headers: fc.constant({
    authorization: `Bearer ${KEY}`,
    'content-type': 'application/json',
    accept: 'application/graphql-response+json',
  } as Record<string, string>),
  operationName: fc.constant(undefined),
  rawBody: fc.constant(undefined),
});

const request = fc.oneof({ weight: 3, arbitrary: clientRequest }, { weight: 2, arbitrary: anyRequest });

const STACK_TRACE = /\bat [\w$.<>]+ \(|\bat (async )?[^\s]+:\d+:\d+|\.ts:\d+|node_modules/;

describe('the GraphQL layer under generated input', () => {
  it(`never answers 5xx, never shows a stack trace, never calls upstream for an invalid request (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(request, async (input) => {
        const before = stack.sandbox.calls.length;
        let response: Response;
        if (input.method === 'GET') {
          const params = new URLSearchParams({ query: input.document });
          if (input.variables !== undefined) params.set('variables', JSON.stringify(input.variables));
          if (input.operationName) params.set('operationName', input.operationName);
          const { 'content-type': _ignored, ...getHeaders } = input.headers;
          response = await fetch(`${stack.url}/graphql?${params}`, { headers: getHeaders });
        } else {
          const body =
            input.rawBody ??
            JSON.stringify({
              query: input.document,
              variables: input.variables,
              operationName: input.operationName,
            });
          response = await fetch(`${stack.url}/graphql`, { method: 'POST', headers: input.headers, body });
        }
        const text = await response.text();
        expect(response.status, text.slice(0, 500)).toBeLessThan(500);
        expect(text).not.toMatch(STACK_TRACE);
        let parsed: object | null = null;
        try {
          parsed = JSON.parse(text) as object;
        } catch {
          // a refusal in plain text
        }
        // A request that was not executed (refused, or a request error: no `data` at all) costs no upstream call.
        const executed = response.status < 400 && parsed !== null && 'data' in parsed;
        if (!executed) expect(stack.sandbox.calls.length, text.slice(0, 300)).toBe(before);
      }),
      { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31), endOnFailure: true },
    );
  }, 120_000);
});
