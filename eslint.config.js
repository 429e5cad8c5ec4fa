import graphqlPlugin from '@graphql-eslint/eslint-plugin';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules', 'dist', '.data', 'client/generated', 'infra/cdk.out'] },
  ...tseslint.configs.recommended.map((config) => ({ files: ['**/*.{ts,mts,js,mjs,cjs}'], ...config })),
  {
    // The schema (emitted from the type-graphql classes) and the operations the clients send.
    files: ['**/*.graphql'],
    languageOptions: { parser: graphqlPlugin.parser },
    plugins: { '@graphql-eslint': graphqlPlugin },
  },
  {
    files: ['schema/schema.graphql'],
    rules: {
      ...graphqlPlugin.configs['flat/schema-recommended'].rules,
      ...graphqlPlugin.configs['flat/schema-relay'].rules,
      // Entities have an id; these are values inside them, or Relay's plumbing.
      '@graphql-eslint/strict-id-in-types': [
        'error',
        {
          exceptions: {
            suffixes: ['Connection', 'Edge', 'Payload'],
            types: [
              'PageInfo',
              'DocumentEvent',
              'DocumentResult',
              'ImageInfo',
              'JobError',
              'SearchHit',
              'SearchSnippet',
              'TextRange',
              'UploadPartUrl',
              'UploadedPart',
            ],
          },
        },
      ],
      // type-graphql cannot describe the root types themselves; their fields are described.
      '@graphql-eslint/require-description': [
        'error',
        {
          types: true,
          rootField: true,
          ignoredSelectors: ['[type=ObjectTypeDefinition][name.value=/^(Query|Mutation|Subscription)$/]'],
        },
      ],
      // Lists of values (snippets, ranges, API keys, nodes) are not connections; a search hit is a
      // ranked result, not an object with an identity of its own.
      '@graphql-eslint/relay-edge-types': [
        'error',
        { listTypeCanWrapOnlyEdgeType: false, shouldImplementNode: false },
      ],
      // Ranked search results page forward only (documents page both ways).
      '@graphql-eslint/relay-arguments': ['error', { includeBoth: false }],
    },
  },
  {
    files: ['client/operations/*.graphql'],
    rules: graphqlPlugin.configs['flat/operations-recommended'].rules,
  },
  {
    files: ['**/*.{ts,mts,js,mjs,cjs}'],
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Tests read untyped GraphQL responses; the SDK's generated types cover typed access.
    files: ['tests/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Clients reach the api only through GraphQL: they run in browsers and other people's programs.
    files: ['client/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/server/*',
                '**/auth/*',
                '**/ops/*',
                '**/worker/*',
                '**/aws/*',
                '**/domain/*',
                '**/dev/*',
                '@aws-sdk/*',
              ],
              message: 'client/ talks to the api through GraphQL only (see docs/clients.md).',
            },
          ],
        },
      ],
    },
  },
  {
    // The domain stays free of transport and vendor SDKs (see docs/architecture.md).
    files: ['domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['graphql', 'graphql/*', '@aws-sdk/*', 'type-graphql'],
              message: 'domain/ must not depend on GraphQL or the AWS SDK.',
            },
          ],
        },
      ],
    },
  },
  {
    // The api's layers (docs/architecture.md, "may import"): the api and the worker are separate
    // deployables and never import each other.
    files: ['server/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/worker/*'], message: 'server/ and worker/ never import each other.' }] },
      ],
    },
  },
  {
    // Resolvers translate GraphQL to use cases; storage is reached through the services.
    files: ['server/graphql/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/aws/*', '@aws-sdk/*'],
              message: 'server/graphql reaches storage through the services, not aws/.',
            },
            { group: ['**/worker/*'], message: 'server/ and worker/ never import each other.' },
          ],
        },
      ],
    },
  },
  {
    files: ['worker/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/server/*'], message: 'server/ and worker/ never import each other.' }] },
      ],
    },
  },
  {
    // Metrics and tracing are used by aws/, server/ and worker/, so they depend on none of them.
    files: ['telemetry/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/server/*', '**/worker/*', '**/aws/*', '**/auth/*', '**/ops/*', '@aws-sdk/*'],
              message: 'telemetry/ may import domain/, prom-client and @opentelemetry/* only.',
            },
          ],
        },
      ],
    },
  },
  {
    // Credentials are a small core: no storage, transport or deployable code.
    files: ['auth/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/server/*', '**/worker/*', '**/aws/*', '@aws-sdk/*', 'graphql', 'graphql/*'],
              message: 'auth/ may import domain/ and jose only.',
            },
          ],
        },
      ],
    },
  },
  {
    // Operator commands work on the adapters and the lifecycle, not through the api.
    files: ['ops/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/server/*', '**/worker/*'],
              message: 'ops/ uses aws/ and domain/, not the deployables.',
            },
          ],
        },
      ],
    },
  },
  {
    // The CDK app declares what the code needs: it reads the configuration schema and the resource
    // shapes, never the deployables or the SDK (docs/deploy.md).
    files: ['infra/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/server/*',
                '**/worker/*',
                '**/ops/*',
                '**/dev/*',
                '**/client/*',
                '**/aws/*',
                '!**/aws/table-definition.js',
                '@aws-sdk/*',
              ],
              message: 'infra/ may import domain/ and aws/table-definition.ts only.',
            },
          ],
        },
      ],
    },
  },
);
