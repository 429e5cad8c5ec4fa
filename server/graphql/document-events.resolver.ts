import {
  Arg,
  Ctx,
  Field,
  FieldResolver,
  GraphQLISODateTime,
  ID,
  ObjectType,
  Resolver,
  Root,
  Subscription,
  registerEnumType,
  type SubscribeResolverData,
} from 'type-graphql';
import type { DocumentRecord, JobRecord } from '../../domain/model.js';
import { encodeFeedCursor } from '../document-service.js';
import type { DocumentChange, DocumentFeedEvent } from '../events/document-event-hub.js';
import type { GraphQLContext } from './context.js';
import { DocumentType } from './document.type.js';
import { JobType } from './job.type.js';

const DocumentChange = {
  CREATED: 'CREATED',
  UPDATED: 'UPDATED',
  COMPLETED: 'COMPLETED',
  FAILED: 'FAILED',
  DELETED: 'DELETED',
} as const satisfies Record<DocumentChange, DocumentChange>;
registerEnumType(DocumentChange, {
  name: 'DocumentChange',
  description:
    'CREATED (uploaded), UPDATED (its job queued, started or progressed), COMPLETED, FAILED, DELETED.',
});

@ObjectType('DocumentEvent', { description: 'A change to one of your documents.' })
export class DocumentEventType {
  @Field(() => DocumentChange)
  kind!: DocumentChange;

  @Field(() => ID)
  documentId!: string;

  @Field(() => GraphQLISODateTime, { description: 'When it happened.' })
  at!: string;
}

@Resolver(() => DocumentEventType)
export class DocumentEventsResolver {
  @Subscription(() => DocumentEventType, {
    description:
      'Every change to your documents, through any api instance: uploads, progress, completion, ' +
      "failure, deletion. After a disconnect, subscribe again with the last event's `cursor` as " +
      '`after`: the documents changed since come first (as they are now), so nothing is missed; a ' +
      'change may arrive twice. Cursors are good for a day.',
    subscribe: ({
      args,
      context,
    }: SubscribeResolverData<unknown, { after?: string | null }, GraphQLContext>) =>
      context.documents.watchDocuments(context.ownerId, args.after ?? undefined),
  })
  documentEvents(
    @Root() event: DocumentFeedEvent,
    @Arg('after', () => String, { nullable: true, description: 'A `cursor` from an earlier event.' })
    _after: string | null | undefined,
  ): DocumentFeedEvent {
    return event;
  }

  @FieldResolver(() => String, { description: 'Pass as `after` to resume after this event.' })
  cursor(@Root() event: DocumentFeedEvent): string {
    return encodeFeedCursor(event.at);
  }

  @FieldResolver(() => DocumentType, {
    nullable: true,
    description: 'The document as it is now; null once deleted.',
  })
  async document(
    @Root() event: DocumentFeedEvent,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DocumentRecord | null> {
    if (event.kind === 'DELETED') return null;
    // A subscription keeps its context for its whole life: the job of each event is read afresh.
    ctx.jobLoader.clearAll();
    if (event.job) ctx.jobLoader.prime(event.job.id, event.job);
    return ctx.io(() => ctx.documents.get(ctx.ownerId, event.documentId));
  }

  @FieldResolver(() => JobType, {
    nullable: true,
    description: 'The job after the change (job changes only).',
  })
  job(@Root() event: DocumentFeedEvent): JobRecord | null {
    return event.job ?? null;
  }
}
