/**
 * Trusted documents: the operations the docpipe SDK (and so the CLI and the web page) was built
 * with, registered at build time by codegen (`client/generated/persisted-documents.json`, keyed by
 * `sha256:<hex>` of each normalised document). A client names one with `documentId` (GraphQL over
 * HTTP's persisted documents appendix): in the request body on HTTP, in the subscribe payload's
 * `extensions` on WebSocket and SSE. With TRUSTED_DOCUMENTS_ONLY the api runs nothing else, so
 * in production an attacker with a token can only make the calls the clients make.
 */
import manifest from '../client/generated/persisted-documents.json' with { type: 'json' };
import type { RequestHandler } from 'express';
import { DomainError, ErrorCode } from '../domain/errors.js';
import { sendError } from './http-guards.js';

/** What a request says about its document: its own text, and maybe the id of a trusted one. */
export interface DocumentRequest {
  query?: unknown;
  documentId?: unknown;
}

export class TrustedDocuments {
  constructor(
    private readonly only: boolean,
    private readonly documents: Readonly<Record<string, string>> = manifest,
  ) {}

  /**
   * The text to run: the trusted document `documentId` names, else (unless trusted documents only)
   * the request's own `query`, as it is (undefined stays for GraphQL to report as missing).
   * @throws DomainError PERSISTED_QUERY_NOT_FOUND for an id that names no trusted document (when
   *   there is no text to fall back on), TRUSTED_DOCUMENT_REQUIRED for free text when only trusted
   *   documents run.
   */
  resolve(request: DocumentRequest): unknown {
    if (request.documentId !== undefined) {
      const text =
        typeof request.documentId === 'string' && Object.hasOwn(this.documents, request.documentId)
          ? this.documents[request.documentId]
          : undefined;
      if (text !== undefined) return text;
      if (this.only || typeof request.query !== 'string') {
        throw new DomainError(
          ErrorCode.PERSISTED_QUERY_NOT_FOUND,
          'documentId names no document this api knows (an SDK newer than the api?)',
          { documentId: String(request.documentId).slice(0, 80) },
        );
      }
    }
    if (this.only) {
      throw new DomainError(
        ErrorCode.TRUSTED_DOCUMENT_REQUIRED,
        "This api runs only the docpipe clients' own operations: send their documentId",
      );
    }
    return request.query;
  }
}

/**
 * On /graphql, after the body parsers (JSON and multipart): the body's `documentId` becomes the
 * trusted text it names, and free text is refused when only trusted documents run (400 with the
 * code). GET queries carry no documentId here, so they are refused then too.
 */
export function trustedDocumentsGate(trusted: TrustedDocuments): RequestHandler {
  return (req, res, next) => {
    try {
      if (req.method === 'GET') {
        if (req.query['query'] !== undefined) trusted.resolve({ query: req.query['query'] });
      } else if (req.body !== null && typeof req.body === 'object' && !Array.isArray(req.body)) {
        const body = req.body as DocumentRequest & Record<string, unknown>;
        const query = trusted.resolve(body);
        if (query !== undefined) body.query = query;
        delete body.documentId;
      }
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      sendError(res, 400, err.code, err.message, err.details);
      return;
    }
    next();
  };
}
