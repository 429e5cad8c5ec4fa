import { Arg, Ctx, ID, Query, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import type { JobRecord } from '../../domain/model.js';
import type { GraphQLContext } from './context.js';
import { JobType } from './job.type.js';

@Resolver(() => JobType)
export class JobResolver {
  @Query(() => JobType, { nullable: true, description: 'A job of yours, or null.' })
  job(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<JobRecord | null> {
    return ctx.io(() => ctx.documents.getJob(ctx.ownerId, id));
  }

  @Subscription(() => JobType, {
    description:
      'The job now, then every change in version order; completes after COMPLETED or FAILED. ' +
      'Resubscribing resumes from the current state.',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { jobId: string }, GraphQLContext>) =>
      context.documents.watchJob(context.ownerId, args.jobId),
  })
  jobUpdated(@Root() job: JobRecord, @Arg('jobId', () => ID) _jobId: string): JobRecord {
    return job;
  }
}
