import { Field, GraphQLISODateTime, ID, InputType, ObjectType } from 'type-graphql';

@ObjectType('ApiKey', { description: 'A key for scripts: send it as `Authorization: Bearer <key>`.' })
export class ApiKeyType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => GraphQLISODateTime)
  createdAt!: string;

  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'Set once revoked; the key no longer works.',
  })
  revokedAt!: string | null;
}

@InputType('CreateApiKeyInput', { description: 'The new API key.' })
export class CreateApiKeyInput {
  @Field(() => String, { description: 'What the key is for (1–100 characters).' })
  name!: string;
}

@ObjectType('CreateApiKeyPayload', { description: 'The key created, and its secret (shown once).' })
export class CreateApiKeyPayload {
  @Field(() => ApiKeyType)
  apiKey!: ApiKeyType;

  @Field(() => String, { description: 'The key itself. Shown only here, once; only its hash is stored.' })
  key!: string;
}

@ObjectType('RevokeApiKeyPayload', { description: 'What revokeApiKey did.' })
export class RevokeApiKeyPayload {
  @Field(() => ID)
  id!: string;

  @Field(() => Boolean, {
    description: 'False when there was no such key of yours, or it was revoked already.',
  })
  revoked!: boolean;
}
