import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules', 'dist', '.data', 'client/generated'] },
  ...tseslint.configs.recommended,
  {
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
);
