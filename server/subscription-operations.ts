/**
 * What both subscription transports (graphql-ws on /graphql, graphql-sse on /graphql/stream) do
 * with one operation before it runs: parse it with the token limit, validate it with the query
 * limits, refuse queries and mutations (they go over HTTP), and build its context from the
 * verified principal. Also the one place their errors are formatted and unexpected ones logged.
 */
import {
  getOperationAST,
  GraphQLError,
  parse,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import type { Logger } from 'pino';
import type { Principal } from '../auth/tokens.js';
import type { Config } from '../domain/config.js';
import { DomainError, ErrorCode } from '../domain/errors.js';
import { createContext, type ContextServices } from './graphql/context.js';
import { formatGraphQLErrors, logUnexpected, type createErrorFormatter } from './graphql/errors.js';
import { allRules, QUERY_LIMITS } from './graphql/guard.js';
import { TrustedDocuments } from './trusted-documents.js';

/**
 * Validated documents kept by query text (most recently used last), for texts up to a size: bounded
 * to a few MB however many distinct operations clients send.
 */
const MAX_CACHED_DOCUMENTS = 256;
const MAX_CACHED_QUERY_CHARS = 4096;

/** An operation as a client sends it (graphql-ws `subscribe` payload, graphql-sse request). */
export interface OperationRequest {
  query: string;
  /** `documentId` (a trusted document: server/trusted-documents.ts) travels here on both transports. */
  extensions?: Record<string, unknown> | null | undefined;
  operationName?: string | null | undefined;
  variables?: Record<string, unknown> | null | undefined;
}

/** Who sends it: from the verified token, never from the request. */
export interface Caller {
  principal: Principal;
  correlationId: string;
  logger: Logger;
}

export class SubscriptionOperations {
  private readonly rules;
  private readonly documents = new Map<string, DocumentNode>();
  private readonly trusted: TrustedDocuments;

  constructor(
    private readonly opts: {
      schema: GraphQLSchema;
      config: Config;
      services: ContextServices;
      logger: Logger;
      formatError: ReturnType<typeof createErrorFormatter>;
    },
  ) {
    this.rules = allRules({ introspection: opts.config.env !== 'production' });
    this.trusted = new TrustedDocuments(opts.config.trustedDocumentsOnly);
  }

  /**
   * The ExecutionArgs of a subscription, or the errors that refuse it. Parsed and validated once per
   * distinct text: thousands of subscribers sending the same operation share one AST (validation
   * depends on the document alone, not on variables).
   */
  prepare(request: OperationRequest, caller: Caller): ExecutionArgs | readonly GraphQLError[] {
    let query: string;
    try {
      query = String(
        this.trusted.resolve({ query: request.query, documentId: request.extensions?.['documentId'] }),
      );
    } catch (err) {
      if (err instanceof DomainError) return refusal(err.code, err.message, err.details);
      throw err;
    }
    let document = this.documents.get(query);
    if (document) {
      this.documents.delete(query);
      this.documents.set(query, document);
    } else {
      try {
        document = parse(query, { maxTokens: QUERY_LIMITS.maxTokens });
      } catch (err) {
        if (err instanceof GraphQLError) return [err];
        throw err;
      }
      const errors = validate(this.opts.schema, document, this.rules);
      if (errors.length > 0) return errors;
      if (query.length <= MAX_CACHED_QUERY_CHARS) {
        this.documents.set(query, document);
        if (this.documents.size > MAX_CACHED_DOCUMENTS) {
          this.documents.delete(this.documents.keys().next().value!);
        }
      }
    }
    const operation = getOperationAST(document, request.operationName);
    if (operation && operation.operation !== 'subscription') {
      return refusal(
        ErrorCode.OPERATION_NOT_ALLOWED,
        'Only subscriptions run over WebSocket and /graphql/stream; send queries and mutations to /graphql',
      );
    }
    return {
      schema: this.opts.schema,
      document,
      operationName: request.operationName ?? null,
      variableValues: request.variables ?? null,
      contextValue: createContext({ ...caller, ...this.opts.services }),
    };
  }

  /** Client-visible errors (see server/graphql/errors.ts); unexpected ones are logged first. */
  format(errors: readonly GraphQLError[], correlationId: string): GraphQLFormattedError[] {
    logUnexpected(this.opts.logger, errors, correlationId);
    return formatGraphQLErrors(errors, this.opts.formatError);
  }
}

/** True when `prepare` refused the operation. */
export const isRefusal = (
  prepared: ExecutionArgs | readonly GraphQLError[],
): prepared is readonly GraphQLError[] => Array.isArray(prepared);

/** A deliberate refusal as GraphQL errors, carrying its code (and details) to the client. */
export function refusal(
  code: ErrorCode,
  message: string,
  details?: Record<string, unknown>,
): readonly GraphQLError[] {
  return [new GraphQLError(message, { originalError: new DomainError(code, message, details) })];
}
