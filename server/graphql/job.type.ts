import { Field, GraphQLISODateTime, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { JobStatus } from '../../domain/model.js';
import { NodeInterface } from './node.type.js';

registerEnumType(JobStatus, { name: 'JobStatus', description: 'Lifecycle of a processing job.' });

@ObjectType('JobError', { description: 'Why a job failed: data on the job, not a GraphQL error.' })
export class JobErrorType {
  @Field(() => String, { description: 'Machine-readable reason, e.g. CHECKSUM_MISMATCH.' })
  code!: string;

  @Field(() => String)
  message!: string;
}

@ObjectType('Job', { description: 'One processing run of a document.', implements: NodeInterface })
export class JobType implements NodeInterface {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  documentId!: string;

  @Field(() => JobStatus)
  status!: JobStatus;

  @Field(() => String, { description: 'Current stage: queued, downloading, detecting, storing, done.' })
  stage!: string;

  @Field(() => Int, { description: '0–100; never decreases within a job.' })
  progress!: number;

  @Field(() => Int, { description: 'How many times a worker has started this job.' })
  attempts!: number;

  @Field(() => Int, {
    description: 'Grows by one with every change; drop events whose version you have seen.',
  })
  version!: number;

  @Field(() => JobErrorType, { nullable: true })
  error!: JobErrorType | null;

  @Field(() => GraphQLISODateTime)
  createdAt!: string;

  @Field(() => GraphQLISODateTime)
  updatedAt!: string;

  @Field(() => GraphQLISODateTime, { nullable: true })
  startedAt!: string | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  finishedAt!: string | null;
}
