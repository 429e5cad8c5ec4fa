import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { badInput } from '../../domain/errors.js';
import { DocumentType } from './document.type.js';
import { JobType } from './job.type.js';
import { UploadScalar, type ReceivedUpload } from './upload.scalar.js';

/**
 * Mutations take one input object and answer with a payload (the GraphQL community's convention,
 * Relay's included). The earlier argument forms keep working for one release, marked @deprecated.
 */
@InputType('DeleteDocumentInput', { description: 'The document to delete.' })
export class DeleteDocumentInput {
  @Field(() => ID)
  id!: string;
}

@InputType('RestartProcessingInput', { description: 'The finished document to process again.' })
export class RestartProcessingInput {
  @Field(() => ID, { description: "The document's id." })
  id!: string;
}

@InputType('RevokeApiKeyInput', { description: 'The API key to revoke.' })
export class RevokeApiKeyInput {
  @Field(() => ID)
  id!: string;
}

@InputType('CreateDocumentInput', {
  description: 'A file to upload through the api (GraphQL multipart request).',
})
export class CreateDocumentInput {
  @Field(() => UploadScalar)
  file!: ReceivedUpload;

  @Field(() => String, {
    nullable: true,
    description:
      'Retrying with the same key (within 24 h by default) returns the first document instead of a new one.',
  })
  idempotencyKey?: string | null;
}

@ObjectType('CreateDocumentPayload', { description: 'The document created; its job has started.' })
export class CreateDocumentPayload {
  @Field(() => DocumentType)
  document!: DocumentType;
}

@ObjectType('RestartProcessingPayload', { description: 'The document, and the new job processing it.' })
export class RestartProcessingPayload {
  @Field(() => DocumentType)
  document!: DocumentType;

  @Field(() => JobType)
  job!: JobType;
}

/**
 * The id a mutation acts on: from `input` (the current form) or the deprecated `id` argument.
 * @throws BAD_USER_INPUT when neither is given, or both with different ids.
 */
export function targetId(input: { id: string } | null | undefined, id: string | null | undefined): string {
  if (input && id != null && input.id !== id) {
    throw badInput('Give the id in input only (the id argument is deprecated)', { argument: 'id' });
  }
  const target = input?.id ?? id;
  if (target == null) throw badInput('input: { id } is required', { argument: 'input' });
  return target;
}
