import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { DocumentRecord } from '../../domain/model.js';
import { partCount, type UploadRecord } from '../../domain/uploads.js';
import type { PartUrl } from '../direct-upload-service.js';
import type { GraphQLContext } from './context.js';
import {
  AbortUploadInput,
  AbortUploadPayload,
  CompleteUploadInput,
  CompleteUploadPayload,
  CreateUploadInput,
  CreateUploadPayload,
  UploadPartUrlType,
  UploadPartsInput,
  UploadType,
  UploadedPartType,
} from './upload.type.js';

/** An upload as the schema shows it: the record plus the part URLs handed out with it. */
type UploadView = UploadRecord & { parts: PartUrl[] };

@Resolver(() => UploadType)
export class UploadResolver {
  @Query(() => UploadType, { nullable: true, description: 'A direct upload of yours in progress, or null.' })
  async upload(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<UploadView | null> {
    const upload = await ctx.io(() => ctx.uploads.get(ctx.ownerId, id));
    return upload && { ...upload, parts: [] };
  }

  @Mutation(() => CreateUploadPayload, {
    description:
      'Starts a direct upload: PUT each part to its URL, then completeUpload. For large files; resumable.',
  })
  async createUpload(
    @Arg('input', () => CreateUploadInput) input: CreateUploadInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<{ upload: UploadView }> {
    const { upload, parts } = await ctx.io(() =>
      ctx.uploads.create(
        ctx.ownerId,
        {
          filename: input.filename,
          size: input.size,
          ...(input.contentType != null && { contentType: input.contentType }),
          ...(input.sha256 != null && { sha256: input.sha256 }),
          ...(input.idempotencyKey != null && { idempotencyKey: input.idempotencyKey }),
        },
        ctx.storagePath,
      ),
    );
    return { upload: { ...upload, parts } };
  }

  @Mutation(() => [UploadPartUrlType], { description: 'Fresh URLs for some parts (resuming an upload).' })
  uploadParts(
    @Arg('input', () => UploadPartsInput) input: UploadPartsInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<PartUrl[]> {
    return ctx.io(() => ctx.uploads.partUrls(ctx.ownerId, input.id, input.partNumbers, ctx.storagePath));
  }

  @Mutation(() => CompleteUploadPayload, {
    description:
      'Verifies the parts against storage (and the SHA-256 if one was given), then creates the document ' +
      'and its job exactly as uploadDocument does.',
  })
  async completeUpload(
    @Arg('input', () => CompleteUploadInput) input: CompleteUploadInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<{ document: DocumentRecord }> {
    const { document, job } = await ctx.io(() =>
      ctx.uploads.complete(ctx.ownerId, input.id, input.parts, ctx.correlationId),
    );
    if (job) ctx.jobLoader.prime(job.id, job);
    return { document };
  }

  @Mutation(() => AbortUploadPayload, { description: 'Drops a direct upload and every part sent.' })
  async abortUpload(
    @Arg('input', () => AbortUploadInput) input: AbortUploadInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AbortUploadPayload> {
    await ctx.io(() => ctx.uploads.abort(ctx.ownerId, input.id));
    return { id: input.id, aborted: true };
  }

  @FieldResolver(() => Int)
  partCount(@Root() upload: UploadRecord): number {
    return partCount(upload.size, upload.partSize);
  }

  @FieldResolver(() => [UploadedPartType], {
    description: 'The parts storage holds now (a resuming client skips these).',
  })
  uploadedParts(@Root() upload: UploadRecord, @Ctx() ctx: GraphQLContext): Promise<UploadedPartType[]> {
    return ctx.io(() => ctx.uploads.storedParts(upload));
  }
}
