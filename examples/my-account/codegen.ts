import { type CodegenConfig } from '@graphql-codegen/cli';

/**
 * `npm run codegen`: the typed client from the committed schema and the documents in
 * src/operations.ts. The manifest (src/gql/persisted-documents.json) is what the gateway's
 * TRUSTED_DOCUMENTS names; the generated documents hold only their hash, which is all a
 * request carries.
 */
export const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['examples/my-account/src/operations.ts'],
  generates: {
    'examples/my-account/src/gql/': {
      preset: 'client',
      config: {
        // Unknown scalars (DateTime, Date) arrive as JSON strings: say so rather than `any`.
        defaultScalarType: 'unknown',
        scalars: { DateTime: 'string', Date: 'string' },
        enumsAsTypes: true,
        useTypeImports: true,
      },
      presetConfig: {
        fragmentMasking: false,
        persistedDocuments: {
          mode: 'replaceDocumentWithHash',
          hashAlgorithm: 'sha256',
          hashPropertyName: 'hash',
        },
      },
    },
  },
};

export default config;
