/** Reading GraphQL-over-HTTP replies, shared by requests, uploads and refused event streams. */
import { DocpipeError, errorFromGraphQL, errorFromHttpStatus, type GraphQLErrorEntry } from './errors.js';
import type { HttpReply } from './upload.js';

/** What `parseReply` needs of a fetch Response (its body read). */
export async function replyOf(res: Response): Promise<HttpReply> {
  return {
    status: res.status,
    statusText: res.statusText,
    contentType: res.headers.get('content-type') ?? '',
    retryAfter: res.headers.get('retry-after'),
    text: await res.text(),
  };
}

/** A GraphQL response's data, or a DocpipeError for `errors`, HTTP failures and non-GraphQL replies. */
export function parseReply<T>(reply: HttpReply): T {
  let body: { data?: T | null; errors?: GraphQLErrorEntry[] } | undefined;
  if (/json/i.test(reply.contentType)) {
    try {
      body = JSON.parse(reply.text) as typeof body;
    } catch {
      body = undefined;
    }
  }
  if (body?.errors?.length) throw errorFromGraphQL(body.errors, reply.status, reply.retryAfter);
  if (reply.status >= 400 || !body) {
    throw errorFromHttpStatus(reply.status, reply.statusText, reply.retryAfter);
  }
  if (body.data == null) throw new DocpipeError('BAD_RESPONSE', 'The response carried no data');
  return body.data;
}
