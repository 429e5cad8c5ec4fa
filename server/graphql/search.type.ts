import { Field, Float, GraphQLISODateTime, InputType, Int, ObjectType } from 'type-graphql';
import { JobStatus } from '../../domain/model.js';
import { DocumentType, PageInfoType } from './document.type.js';

@ObjectType('TextRange', {
  description: 'A span of a snippet: UTF-16 offsets, as JavaScript indexes strings.',
})
export class TextRangeType {
  @Field(() => Int)
  start!: number;

  @Field(() => Int)
  length!: number;
}

@ObjectType('SearchSnippet', {
  description:
    'Plain text around the matches (never HTML) and the ranges to highlight; render the ranges yourself.',
})
export class SearchSnippetType {
  @Field(() => String, { description: '`body` (the extracted text) or `filename`.' })
  field!: string;

  @Field(() => String)
  text!: string;

  @Field(() => [TextRangeType])
  highlights!: TextRangeType[];
}

@ObjectType('SearchHit', { description: 'A document that matches a search, with its score and snippets.' })
export class SearchHitType {
  @Field(() => DocumentType)
  document!: DocumentType;

  @Field(() => Float, { description: 'BM25 relevance: higher is better; comparable within one search only.' })
  score!: number;

  @Field(() => [SearchSnippetType])
  snippets!: SearchSnippetType[];
}

@ObjectType('SearchHitEdge', { description: 'A search hit in a page, with its cursor.' })
export class SearchHitEdgeType {
  @Field(() => String)
  cursor!: string;

  @Field(() => SearchHitType)
  node!: SearchHitType;
}

@ObjectType('SearchConnection', {
  description: 'A page of search hits, most relevant first, newest first on ties.',
})
export class SearchConnectionType {
  @Field(() => [SearchHitEdgeType])
  edges!: SearchHitEdgeType[];

  @Field(() => PageInfoType)
  pageInfo!: PageInfoType;
}

@InputType('SearchFilter', { description: 'Narrows a search; every field given must hold.' })
export class SearchFilterInput {
  @Field(() => JobStatus, { nullable: true, description: 'Status of the document now.' })
  status?: JobStatus | null;

  @Field(() => String, { nullable: true, description: 'pdf, docx, html, text, markdown, csv, json, image…' })
  kind?: string | null;

  @Field(() => String, { nullable: true, description: 'ISO 639-3 code, e.g. eng, fra, deu.' })
  language?: string | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Uploaded after this time.' })
  createdAfter?: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Uploaded before this time.' })
  createdBefore?: Date | null;
}
