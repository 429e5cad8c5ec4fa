import { Field, Float, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';
import { JobStatus } from '../../domain/model.js';

@ObjectType('Document', { description: 'An uploaded file and what processing found in it.' })
export class DocumentType {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'Name the client gave; metadata only.' })
  filename!: string;

  @Field(() => String, { description: 'MIME type the client claimed.' })
  contentType!: string;

  @Field(() => String, {
    nullable: true,
    description: 'MIME type detected from the bytes; null until processed.',
  })
  detectedType!: string | null;

  @Field(() => Float, { description: 'Size in bytes.' })
  size!: number;

  @Field(() => String, { description: 'Hex SHA-256 of the bytes, computed while uploading.' })
  sha256!: string;

  @Field(() => JobStatus, { description: 'Status of the current job.' })
  status!: JobStatus;

  @Field(() => GraphQLISODateTime)
  createdAt!: string;

  @Field(() => GraphQLISODateTime)
  updatedAt!: string;
}

@ObjectType('PageInfo')
export class PageInfoType {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Pass as `after` to get the next page.' })
  endCursor!: string | null;
}

@ObjectType('DocumentEdge')
export class DocumentEdgeType {
  @Field(() => String)
  cursor!: string;

  @Field(() => DocumentType)
  node!: DocumentType;
}

@ObjectType('DocumentConnection', { description: 'A page of documents, newest first.' })
export class DocumentConnectionType {
  @Field(() => [DocumentEdgeType])
  edges!: DocumentEdgeType[];

  @Field(() => PageInfoType)
  pageInfo!: PageInfoType;
}

@ObjectType('DeleteDocumentPayload')
export class DeleteDocumentPayload {
  @Field(() => ID)
  id!: string;

  @Field(() => Boolean, {
    description: 'False when there was nothing to delete (already gone, or not yours).',
  })
  deleted!: boolean;
}
