import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed SDK documents from the committed schema (the contract) and the operations in
 * client/operations. Offline: never reads a running server. `npm run codegen:check` fails when
 * client/generated is stale.
 */
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['client/operations/*.graphql'],
  ignoreNoDocuments: false,
  // NodeNext resolution needs `.js` suffixes on the generated relative imports.
  emitLegacyCommonJSImports: false,
  generates: {
    'client/generated/': {
      preset: 'client',
      // Plain result types: the SDK returns fragment data directly rather than masked references.
      // persistedDocuments: every operation's SHA-256 in its __meta__ and in persisted-documents.json,
      // the manifest of trusted documents the api accepts with TRUSTED_DOCUMENTS=enforce.
      presetConfig: { fragmentMasking: false, persistedDocuments: true },
      config: {
        // Documents as typed strings: no `graphql` runtime in the browser bundle or the CLI.
        documentMode: 'string',
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        scalars: {
          DateTimeISO: 'string',
          JSONObject: 'Record<string, unknown>',
          // The SDK always sends `null` and attaches the file in the multipart body.
          Upload: 'File | Blob | null',
        },
      },
    },
  },
};

export default config;
