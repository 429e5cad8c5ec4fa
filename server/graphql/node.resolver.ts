import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { DocumentRecord, JobRecord } from '../../domain/model.js';
import type { GraphQLContext } from './context.js';
import { NodeInterface } from './node.type.js';

/** Relay's refetch entry points: any document or job of yours by its id. */
@Resolver()
export class NodeResolver {
  @Query(() => NodeInterface, {
    nullable: true,
    description: 'The document or job of yours with this id, or null.',
  })
  async node(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DocumentRecord | JobRecord | null> {
    const [found] = await ctx.io(() => ctx.documents.nodes(ctx.ownerId, [id], 'id'));
    return found ?? null;
  }

  @Query(() => [NodeInterface], {
    nullable: 'items',
    description: 'Documents and jobs of yours by id (at most 100), in the order asked; null where none.',
  })
  nodes(
    @Arg('ids', () => [ID]) ids: string[],
    @Ctx() ctx: GraphQLContext,
  ): Promise<(DocumentRecord | JobRecord | null)[]> {
    return ctx.io(() => ctx.documents.nodes(ctx.ownerId, ids));
  }
}
