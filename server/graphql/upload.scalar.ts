import { GraphQLError, GraphQLScalarType, type GraphQLScalarTypeConfig } from 'graphql';
import { GraphQLUpload, type FileUpload } from 'graphql-upload-ts';
import { badInput, DomainError, ErrorCode } from '../../domain/errors.js';

/** The file of a multipart request, as the resolver receives it. */
export interface ReceivedUpload {
  /** Resolves when the file part starts; rejects when the request body does not deliver it. */
  file(): Promise<FileUpload>;
}

/**
 * graphql-upload-ts's `Upload` scalar, with the file's promise wrapped in an object. type-graphql
 * awaits arguments that are promises before calling the resolver, so a rejected upload (a map naming
 * a file the body lacks, a malformed part header, a body that breaks off) would surface as an
 * internal error; wrapped, the resolver awaits it itself and answers BAD_USER_INPUT.
 */
export const UploadScalar = new GraphQLScalarType<ReceivedUpload, never>({
  name: GraphQLUpload.name,
  description: GraphQLUpload.description,
  parseLiteral(node) {
    throw new GraphQLError('Upload literal unsupported: send the file as a multipart variable', {
      nodes: node,
    });
  },
  serialize: GraphQLUpload.serialize as GraphQLScalarTypeConfig<ReceivedUpload, never>['serialize'],
  parseValue(value): ReceivedUpload {
    const promise = GraphQLUpload.parseValue(value) as Promise<FileUpload>;
    promise.catch(() => undefined); // handled in file(); not an unhandled rejection meanwhile
    return {
      async file() {
        try {
          return await promise;
        } catch (err) {
          const status = (err as { status?: unknown }).status;
          const reason = err instanceof Error ? err.message : String(err);
          if (status === 413) throw new DomainError(ErrorCode.PAYLOAD_TOO_LARGE, `Upload refused: ${reason}`);
          throw badInput(`The upload did not arrive whole: ${reason}`, { argument: 'file' });
        }
      },
    };
  },
});
