import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { ApiKeyRecord } from '../../domain/model.js';
import type { GraphQLContext } from './context.js';
import { RevokeApiKeyInput, targetId } from './mutation-inputs.js';
import { ApiKeyType, CreateApiKeyInput, CreateApiKeyPayload, RevokeApiKeyPayload } from './api-key.type.js';

@Resolver(() => ApiKeyType)
export class ApiKeyResolver {
  @Query(() => [ApiKeyType], { description: 'Your API keys, newest first (revoked ones included).' })
  apiKeys(@Ctx() ctx: GraphQLContext): Promise<ApiKeyRecord[]> {
    return ctx.io(() => ctx.apiKeys.list(ctx.ownerId));
  }

  @Mutation(() => CreateApiKeyPayload, { description: 'Creates an API key; the key is in the answer only.' })
  createApiKey(
    @Arg('input', () => CreateApiKeyInput) input: CreateApiKeyInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CreateApiKeyPayload> {
    return ctx.io(() => ctx.apiKeys.create(ctx.ownerId, input.name));
  }

  @Mutation(() => RevokeApiKeyPayload, { description: 'Revokes one of your API keys at once.' })
  async revokeApiKey(
    @Arg('input', () => RevokeApiKeyInput, { nullable: true }) input: RevokeApiKeyInput | null | undefined,
    @Arg('id', () => ID, { nullable: true, deprecationReason: 'Use input: { id }.' })
    id: string | null | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<RevokeApiKeyPayload> {
    const target = targetId(input, id);
    return { id: target, revoked: await ctx.io(() => ctx.apiKeys.revoke(ctx.ownerId, target)) };
  }
}
