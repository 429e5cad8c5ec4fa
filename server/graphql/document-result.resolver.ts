import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { DocumentResult } from '../../domain/model.js';
import type { GraphQLContext } from './context.js';
import { DocumentResultType } from './document.type.js';

@Resolver(() => DocumentResultType)
export class DocumentResultResolver {
  @FieldResolver(() => String, {
    nullable: true,
    description:
      'Presigned URL of the full extracted text (UTF-8), valid DOWNLOAD_URL_SECONDS (5 minutes by default).',
  })
  textUrl(@Root() result: DocumentResult, @Ctx() ctx: GraphQLContext): Promise<string> | null {
    return result.textKey ? ctx.documents.artefactUrl(result.textKey, 'text') : null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      'Presigned URL of a WebP thumbnail (≤ 256 px), valid DOWNLOAD_URL_SECONDS (5 minutes by default).',
  })
  thumbnailUrl(@Root() result: DocumentResult, @Ctx() ctx: GraphQLContext): Promise<string> | null {
    return result.thumbnailKey ? ctx.documents.artefactUrl(result.thumbnailKey, 'thumbnail') : null;
  }
}
