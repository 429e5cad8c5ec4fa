import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import type { SearchFilter } from '../search/search-index.js';
import type { GraphQLContext } from './context.js';
import { SearchConnectionType, SearchFilterInput } from './search.type.js';

@Resolver()
export class SearchResolver {
  @Query(() => SearchConnectionType, {
    description:
      "Full-text search of your documents' extracted text and file names: words (all must appear), " +
      '"exact phrases", prefix*, -excluded. Accents and case are ignored. A document is found about a ' +
      'second after its job completes.',
  })
  async searchDocuments(
    @Arg('query', () => String) query: string,
    @Arg('first', () => Int, { nullable: true, defaultValue: 10, description: '1–50.' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'endCursor of the previous page.' })
    after: string | null | undefined,
    @Arg('filter', () => SearchFilterInput, { nullable: true }) filter: SearchFilterInput | null | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SearchConnectionType> {
    const page = await ctx.io(() =>
      ctx.search.search(ctx.ownerId, query, {
        first,
        ...(after != null ? { after } : {}),
        filter: toFilter(filter),
      }),
    );
    const edges = page.hits.map(({ cursor, ...node }) => ({ cursor, node }));
    return {
      edges,
      pageInfo: {
        hasNextPage: page.hasMore,
        // Search pages forward only; a cursor means earlier hits exist.
        hasPreviousPage: after != null,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null,
      },
    };
  }
}

function toFilter(input: SearchFilterInput | null | undefined): SearchFilter {
  if (!input) return {};
  return {
    ...(input.status != null && { status: input.status }),
    ...(input.kind != null && { kind: input.kind }),
    ...(input.language != null && { language: input.language }),
    ...(input.createdAfter != null && { createdAfter: input.createdAfter.toISOString() }),
    ...(input.createdBefore != null && { createdBefore: input.createdBefore.toISOString() }),
  };
}
