import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Types the GraphQL operations of the tests and of the activity page (client preset) from the checked-in SDL,
 * and writes what clients need to match fragments on interfaces and unions (`... on Error`): the
 * `possibleTypes` map of Apollo Client (`schema/possible-types.json` for any frontend, and a typed copy for
 * the tests' Apollo Client), and the minified schema that the page's Graphcache reads.
 *
 * Each target names its own documents: codegen adds root-level documents to every target, and the page's
 * bundle must not carry the tests' operations.
 */
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  ignoreNoDocuments: true,
  emitLegacyCommonJSImports: false,
  generates: {
    'test/gql/': {
      documents: ['test/**/*.ts', '!test/gql/**/*'],
      preset: 'client',
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string' },
      },
      presetConfig: { fragmentMasking: false },
    },
    'test/gql/possible-types.ts': {
      plugins: ['fragment-matcher'],
      config: { apolloClientVersion: 3, useExplicitTyping: true },
    },
    'schema/possible-types.json': {
      plugins: ['fragment-matcher'],
      config: { apolloClientVersion: 3 },
    },
    // The live mail activity page (web/): its typed documents, and the schema for Graphcache's
    // schema awareness (interfaces and unions matched exactly, no heuristic fragment matching).
    'web/src/gql/': {
      documents: ['web/src/**/*.{ts,tsx}', '!web/src/gql/**/*'],
      preset: 'client',
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', JSONObject: 'Record<string, unknown>' },
      },
      presetConfig: { fragmentMasking: false },
    },
    'web/src/gql/introspection.ts': {
      plugins: ['urql-introspection'],
      config: { module: 'es2015', useTypeImports: true },
    },
  },
};

export default config;
