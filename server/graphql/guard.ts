/**
 * Limits on what one GraphQL document may ask for, applied alike to HTTP (Apollo) and WebSocket
 * (graphql-ws) before anything executes: tokens (at parse time), depth, aliases, directives and
 * cost (graphql-armor's validation rules). A refusal is a validation error with
 * `QUERY_TOO_COMPLEX`, answered in milliseconds whatever the document holds.
 */
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  specifiedRules,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { DomainError, ErrorCode } from '../../domain/errors.js';

export const QUERY_LIMITS = {
  /** Parser tokens; the web page's largest operation has ~150, GraphiQL's introspection ~400. */
  maxTokens: 2_000,
  maxDepth: 10,
  maxAliases: 15,
  maxDirectives: 20,
  /** graphql-armor's cost model (objects 2, scalars 1, ×1.5 per level); a full page of documents is ~600. */
  maxCost: 5_000,
} as const;

/** Turns a graphql-armor rejection into a validation error carrying QUERY_TOO_COMPLEX. */
const reject = (ctx: ValidationContext | null, error: GraphQLError) => {
  const message = error.message.replace(/^Syntax Error: /, '');
  ctx?.reportError(
    new GraphQLError(message, { originalError: new DomainError(ErrorCode.QUERY_TOO_COMPLEX, message) }),
  );
};
const onRejection = { propagateOnRejection: false, onReject: [reject], exposeLimits: true };

/** graphql-armor's rules, plus no introspection when `introspection` is false. */
export function guardRules(opts: { introspection: boolean }): ValidationRule[] {
  return [
    maxDepthRule({ n: QUERY_LIMITS.maxDepth, ...onRejection }),
    maxAliasesRule({ n: QUERY_LIMITS.maxAliases, ...onRejection }),
    maxDirectivesRule({ n: QUERY_LIMITS.maxDirectives, ...onRejection }),
    costLimitRule({ maxCost: QUERY_LIMITS.maxCost, ...onRejection }),
    ...(opts.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
  ];
}

/** Every rule the WebSocket transport validates with (Apollo adds `specifiedRules` itself). */
export function allRules(opts: { introspection: boolean }): ValidationRule[] {
  return [...specifiedRules, ...guardRules(opts)];
}

/** graphql-js's message when `parse` stops at `maxTokens`. */
export const isTokenLimitError = (error: { message: string }): boolean =>
  /^Syntax Error: Document contains more th(?:an|at) \d+ tokens/.test(error.message);
