/** A generated document: its text, and (from codegen's persisted documents) its `sha256:` id. */
export interface GeneratedDocument {
  toString(): string;
  __meta__?: Record<string, unknown> | undefined;
}

/**
 * How the SDK sends one of its operations: the text, and the id of the trusted document it is
 * (server/trusted-documents.ts). An api that runs only trusted documents runs it by the id; any
 * other runs the text, so the SDK works with both.
 */
export function operation(document: GeneratedDocument): { query: string; documentId?: string } {
  const hash = document.__meta__?.['hash'];
  return { query: document.toString(), ...(typeof hash === 'string' && { documentId: hash }) };
}

/** The same for a subscription: graphql-ws and graphql-sse carry the id in `extensions`. */
export function subscriptionOperation(document: GeneratedDocument): {
  query: string;
  extensions?: { documentId: string };
} {
  const { query, documentId } = operation(document);
  return { query, ...(documentId && { extensions: { documentId } }) };
}
