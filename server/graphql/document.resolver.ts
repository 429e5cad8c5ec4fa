import { GraphQLUpload, type FileUpload } from 'graphql-upload-ts';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { encodeCursor } from '../../aws/document-store.js';
import type { DocumentRecord, JobRecord } from '../../domain/model.js';
import type { GraphQLContext } from './context.js';
import { DocumentConnectionType, DocumentType } from './document.type.js';
import { JobType } from './job.type.js';

@Resolver(() => DocumentType)
export class DocumentResolver {
  @Query(() => DocumentType, { nullable: true, description: 'A document of yours, or null.' })
  document(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<DocumentRecord | null> {
    return ctx.documents.get(ctx.ownerId, id);
  }

  @Query(() => DocumentConnectionType, { description: 'Your documents, newest first.' })
  async documents(
    @Arg('first', () => Int, { nullable: true, defaultValue: 20, description: '1–100.' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'endCursor of the previous page.' })
    after: string | null | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DocumentConnectionType> {
    const page = await ctx.documents.list(ctx.ownerId, first, after ?? undefined);
    const edges = page.items.map((node) => ({ cursor: encodeCursor(node), node }));
    return {
      edges,
      pageInfo: { hasNextPage: page.hasMore, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }

  @Mutation(() => DocumentType, {
    description: 'Upload a file (GraphQL multipart request). Processing starts at once; watch `job`.',
  })
  async uploadDocument(
    @Arg('file', () => GraphQLUpload) file: Promise<FileUpload>,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DocumentRecord> {
    return ctx.documents.upload(ctx.ownerId, await file, ctx.correlationId);
  }

  @FieldResolver(() => JobType, { nullable: true, description: 'The current processing job.' })
  job(@Root() doc: DocumentRecord, @Ctx() ctx: GraphQLContext): Promise<JobRecord | null> {
    return ctx.jobLoader.load(doc.currentJobId);
  }
}
