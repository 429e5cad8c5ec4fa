import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { JobStatus, type DocumentRecord, type DocumentResult, type JobRecord } from '../../domain/model.js';
import type { GraphQLContext } from './context.js';
import {
  DeleteDocumentPayload,
  DocumentConnectionType,
  DocumentResultType,
  DocumentType,
} from './document.type.js';
import { JobType } from './job.type.js';
import {
  CreateDocumentInput,
  CreateDocumentPayload,
  DeleteDocumentInput,
  RestartProcessingInput,
  RestartProcessingPayload,
  targetId,
} from './mutation-inputs.js';
import { UploadScalar, type ReceivedUpload } from './upload.scalar.js';
import { SpanKind, withSpan } from '../../telemetry/tracing.js';

@Resolver(() => DocumentType)
export class DocumentResolver {
  @Query(() => DocumentType, { nullable: true, description: 'A document of yours, or null.' })
  document(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<DocumentRecord | null> {
    return ctx.io(() => ctx.documents.get(ctx.ownerId, id));
  }

  @Query(() => DocumentConnectionType, {
    description:
      'Your documents, newest first: `first` after `after` (default 20), or `last` before `before`.',
  })
  async documents(
    @Arg('first', () => Int, { nullable: true, description: '1–100; 20 when neither first nor last.' })
    first: number | null | undefined,
    @Arg('after', () => String, { nullable: true, description: 'endCursor of the previous page.' })
    after: string | null | undefined,
    @Arg('last', () => Int, { nullable: true, description: '1–100: the page before `before`.' })
    last: number | null | undefined,
    @Arg('before', () => String, { nullable: true, description: 'startCursor of the page after.' })
    before: string | null | undefined,
    @Arg('status', () => JobStatus, { nullable: true, description: 'Only documents in this status.' })
    status: JobStatus | null | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DocumentConnectionType> {
    const page = await ctx.io(() =>
      ctx.documents.list(ctx.ownerId, {
        ...(first != null && { first }),
        // An empty cursor is no cursor.
        ...(after && { after }),
        ...(last != null && { last }),
        ...(before && { before }),
        ...(status != null && { status }),
      }),
    );
    const edges = page.items.map((item) => ({ cursor: item.cursor, node: item.document }));
    return {
      edges,
      pageInfo: {
        hasNextPage: page.hasNextPage,
        hasPreviousPage: page.hasPreviousPage,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null,
      },
    };
  }

  @Mutation(() => CreateDocumentPayload, {
    description:
      'Upload a file (GraphQL multipart request). Processing starts at once; watch `document.job`.',
  })
  async createDocument(
    @Arg('input', () => CreateDocumentInput) input: CreateDocumentInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<{ document: DocumentRecord }> {
    return { document: await this.upload(ctx, input.file, input.idempotencyKey) };
  }

  @Mutation(() => DocumentType, {
    description: 'Upload a file (GraphQL multipart request). Processing starts at once; watch `job`.',
    deprecationReason: 'Use createDocument(input: { file, idempotencyKey }).',
  })
  uploadDocument(
    @Arg('file', () => UploadScalar) upload: ReceivedUpload,
    @Arg('idempotencyKey', () => String, {
      nullable: true,
      description:
        'Retrying with the same key (within 24 h by default) returns the first document instead of a new one.',
    })
    idempotencyKey: string | null | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DocumentRecord> {
    return this.upload(ctx, upload, idempotencyKey);
  }

  private upload(ctx: GraphQLContext, upload: ReceivedUpload, idempotencyKey: string | null | undefined) {
    // The root of the upload's trace (when tracing is on): S3, DynamoDB, the job message, the worker.
    return withSpan(
      'uploadDocument',
      { kind: SpanKind.SERVER, attributes: { 'docpipe.correlation_id': ctx.correlationId } },
      async (span) => {
        const { document, job } = await ctx.documents.upload(
          ctx.ownerId,
          await upload.file(),
          ctx.correlationId,
          idempotencyKey ?? undefined,
        );
        span?.setAttributes({ 'docpipe.document.size': document.size });
        // The answer's `job` is the one just written: no need to read it back.
        if (job) ctx.jobLoader.prime(job.id, job);
        return document;
      },
    );
  }

  @Mutation(() => DeleteDocumentPayload, {
    description:
      'Delete a document, its jobs and every stored byte. A running job ends FAILED (DOCUMENT_DELETED). ' +
      'Idempotent: deleting again returns deleted: false.',
  })
  async deleteDocument(
    @Arg('input', () => DeleteDocumentInput, { nullable: true })
    input: DeleteDocumentInput | null | undefined,
    @Arg('id', () => ID, { nullable: true, deprecationReason: 'Use input: { id }.' })
    id: string | null | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DeleteDocumentPayload> {
    const target = targetId(input, id);
    return {
      id: target,
      deleted: await ctx.io(() => ctx.documents.delete(ctx.ownerId, target, ctx.correlationId)),
    };
  }

  @Mutation(() => RestartProcessingPayload, {
    description:
      'Process a finished document again with a new job; its result stays until that job completes.',
  })
  async restartProcessing(
    @Arg('input', () => RestartProcessingInput) input: RestartProcessingInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<{ document: DocumentRecord; job: JobRecord }> {
    const document = await ctx.io(() => ctx.documents.reprocess(ctx.ownerId, input.id, ctx.correlationId));
    const job = await ctx.jobLoader.load(document.currentJobId);
    if (!job) throw new Error(`job ${document.currentJobId} of document ${document.id} is missing`);
    return { document, job };
  }

  @Mutation(() => DocumentType, {
    description: 'Process a finished document again with a new job.',
    deprecationReason: 'Use restartProcessing(input: { id }).',
  })
  reprocessDocument(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<DocumentRecord> {
    return ctx.io(() => ctx.documents.reprocess(ctx.ownerId, id, ctx.correlationId));
  }

  @FieldResolver(() => String, {
    description:
      'A presigned URL for the original bytes (an attachment), valid DOWNLOAD_URL_SECONDS (5 minutes by default).',
  })
  downloadUrl(@Root() doc: DocumentRecord, @Ctx() ctx: GraphQLContext): Promise<string> {
    return ctx.documents.downloadUrl(doc);
  }

  @FieldResolver(() => DocumentResultType, {
    nullable: true,
    description:
      'What processing found; null until a job completes. Reprocessing keeps it until the new job completes.',
  })
  result(@Root() doc: DocumentRecord): DocumentResult | null {
    return doc.result ?? null;
  }

  @FieldResolver(() => JobType, { nullable: true, description: 'The current processing job.' })
  job(@Root() doc: DocumentRecord, @Ctx() ctx: GraphQLContext): Promise<JobRecord | null> {
    return ctx.jobLoader.load(doc.currentJobId);
  }
}
