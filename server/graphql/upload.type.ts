import { Field, Float, GraphQLISODateTime, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DocumentType } from './document.type.js';

@InputType('CreateUploadInput', { description: 'A file to upload straight to storage, in parts.' })
export class CreateUploadInput {
  @Field(() => String, { description: 'Name stored with the document; metadata only.' })
  filename!: string;

  @Field(() => Float, { description: 'Exact size in bytes (at most the upload limit).' })
  size!: number;

  @Field(() => String, {
    nullable: true,
    description: 'MIME type claimed (the worker detects the real one).',
  })
  contentType?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Hex SHA-256 of the file: completeUpload refuses other bytes (CHECKSUM_MISMATCH).',
  })
  sha256?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Creating again with the same key (within 24 h by default) returns the same pending upload.',
  })
  idempotencyKey?: string | null;
}

@ObjectType('UploadPartUrl', { description: 'Where to PUT one part: the answer carries its ETag.' })
export class UploadPartUrlType {
  @Field(() => Int)
  partNumber!: number;

  @Field(() => String, {
    description:
      'Presigned URL (about an hour). It may be relative to the GraphQL endpoint (e.g. `/storage/…` behind the edge).',
  })
  url!: string;
}

@ObjectType('UploadedPart', { description: 'A part storage already holds.' })
export class UploadedPartType {
  @Field(() => Int)
  partNumber!: number;

  @Field(() => String)
  etag!: string;

  @Field(() => Float)
  size!: number;
}

@ObjectType('DirectUpload', { description: 'A direct upload in progress: parts go straight to storage.' })
export class UploadType {
  @Field(() => ID, { description: 'Also the id of the document it becomes.' })
  id!: string;

  @Field(() => String)
  filename!: string;

  @Field(() => Float)
  size!: number;

  @Field(() => Float, { description: 'Bytes per part (the last one holds the rest).' })
  partSize!: number;

  @Field(() => GraphQLISODateTime, { description: 'After this the upload is refused and removed.' })
  expiresAt!: string;

  @Field(() => [UploadPartUrlType], {
    description: 'URLs for the first parts (up to 1000) from createUpload; empty elsewhere: ask uploadParts.',
  })
  parts!: UploadPartUrlType[];
}

@ObjectType('CreateUploadPayload', { description: 'The upload created, with the URLs of its parts.' })
export class CreateUploadPayload {
  @Field(() => UploadType)
  upload!: UploadType;
}

@InputType('UploadPartsInput', { description: 'Parts of an upload to get fresh URLs for (to resume).' })
export class UploadPartsInput {
  @Field(() => ID)
  id!: string;

  @Field(() => [Int], { description: '1-1000 part numbers.' })
  partNumbers!: number[];
}

@InputType('CompletedPartInput', { description: 'A part that was PUT, with the ETag storage answered.' })
export class CompletedPartInput {
  @Field(() => Int)
  partNumber!: number;

  @Field(() => String, { description: "The ETag header of the part's PUT answer." })
  etag!: string;
}

@InputType('CompleteUploadInput', {
  description: 'Every part of an upload, to check and join into the document.',
})
export class CompleteUploadInput {
  @Field(() => ID)
  id!: string;

  @Field(() => [CompletedPartInput], { description: 'Every part, in order from 1.' })
  parts!: CompletedPartInput[];
}

@ObjectType('CompleteUploadPayload', { description: 'The document the upload became; its job has started.' })
export class CompleteUploadPayload {
  @Field(() => DocumentType)
  document!: DocumentType;
}

@InputType('AbortUploadInput', { description: 'The upload to abandon.' })
export class AbortUploadInput {
  @Field(() => ID)
  id!: string;
}

@ObjectType('AbortUploadPayload', { description: 'What abortUpload did.' })
export class AbortUploadPayload {
  @Field(() => ID)
  id!: string;

  @Field(() => Boolean)
  aborted!: boolean;
}
