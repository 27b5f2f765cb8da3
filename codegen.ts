import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Types the GraphQL operations of the tests (client preset) from the checked-in SDL, and writes the
 * `possibleTypes` map that Apollo Client needs to match fragments on interfaces and unions (`... on Error`):
 * `schema/possible-types.json` for any frontend, and a typed copy for the tests' Apollo Client.
 */
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['test/**/*.ts', '!test/gql/**/*'],
  ignoreNoDocuments: true,
  emitLegacyCommonJSImports: false,
  generates: {
    'test/gql/': {
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
  },
};

export default config;
