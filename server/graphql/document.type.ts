import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, GraphQLISODateTime, ID, Int, ObjectType } from 'type-graphql';
import { JobStatus } from '../../domain/model.js';
import { NodeInterface } from './node.type.js';

@ObjectType('Document', {
  description: 'An uploaded file and what processing found in it.',
  implements: NodeInterface,
})
export class DocumentType implements NodeInterface {
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

@ObjectType('PageInfo', {
  description: "Where a connection's page sits: cursors and whether more lie either side.",
})
export class PageInfoType {
  @Field(() => Boolean, { description: 'More items follow endCursor (paging forward: exact).' })
  hasNextPage!: boolean;

  @Field(() => Boolean, {
    description: 'Items come before startCursor (paging backward: exact; forward: true after a cursor).',
  })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Pass as `before` to get the previous page.' })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: 'Pass as `after` to get the next page.' })
  endCursor!: string | null;
}

@ObjectType('DocumentEdge', { description: 'A document in a page, with its cursor.' })
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

@ObjectType('DeleteDocumentPayload', { description: 'What deleteDocument did.' })
export class DeleteDocumentPayload {
  @Field(() => ID)
  id!: string;

  @Field(() => Boolean, {
    description: 'False when there was nothing to delete (already gone, or not yours).',
  })
  deleted!: boolean;
}

@ObjectType('ImageInfo', { description: "An image's size and format, read from its header." })
export class ImageInfoType {
  @Field(() => Int)
  width!: number;

  @Field(() => Int)
  height!: number;

  @Field(() => String, { description: 'png, jpeg, webp, gif, tiff…' })
  format!: string;
}

@ObjectType('DocumentResult', { description: 'What processing found in the bytes.' })
export class DocumentResultType {
  @Field(() => ID, { description: 'The job that produced this result.' })
  jobId!: string;

  @Field(() => String, { description: 'pdf, docx, html, text, markdown, csv, json, image or unknown.' })
  kind!: string;

  @Field(() => Int, { nullable: true })
  pageCount!: number | null;

  @Field(() => Int, { nullable: true })
  wordCount!: number | null;

  @Field(() => Int, { nullable: true, description: 'Unicode characters in the whole text.' })
  charCount!: number | null;

  @Field(() => String, { nullable: true, description: 'ISO 639-3 code, e.g. eng; null when undetermined.' })
  language!: string | null;

  @Field(() => String, { nullable: true, description: 'The first few hundred characters of the text.' })
  textPreview!: string | null;

  @Field(() => Boolean, { description: 'The stored text was cut at the configured maximum.' })
  textTruncated!: boolean;

  @Field(() => String, { nullable: true })
  title!: string | null;

  @Field(() => String, { nullable: true })
  author!: string | null;

  @Field(() => String, { nullable: true, description: 'Creation date the file itself claims (ISO 8601).' })
  authoredAt!: string | null;

  @Field(() => ImageInfoType, { nullable: true })
  image!: ImageInfoType | null;

  @Field(() => GraphQLJSONObject, {
    description: 'Format-specific details (CSV header and counts, JSON shape, PDF info…).',
  })
  metadata!: Record<string, unknown>;
}
