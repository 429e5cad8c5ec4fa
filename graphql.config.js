// GraphQL Config: where the schema and the client operations are, for @graphql-eslint's rules that
// need them (eslint.config.js). codegen.ts keeps its own (same) paths.
export default {
  schema: 'schema/schema.graphql',
  documents: 'client/operations/*.graphql',
};
