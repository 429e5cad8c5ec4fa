/**
 * The shape of docpipe's AWS resources as plain data, without SDK types: the bootstrap
 * (aws/bootstrap.ts) creates them from these definitions and the CDK app (infra/) declares them, so
 * the two cannot drift. Names come from the configuration (domain/config.ts, ResourceNames).
 */

/** GSI listing an owner's documents newest first: gsi1pk = OWNER#<ownerId>, gsi1sk = <createdAt>#<id>. */
export const OWNER_INDEX = 'byOwner';
/** GSI listing an owner's documents in one status: gsi2pk = OWNER#<ownerId>#<status>, gsi2sk as gsi1sk. */
export const OWNER_STATUS_INDEX = 'byOwnerStatus';
/**
 * Sparse GSI of things that may need sweeping: unfinished jobs by last change (gsi3pk = ACTIVE,
 * absent once terminal) and direct uploads by expiry (aws/upload-store.ts); gsi3sk = time.
 */
export const ACTIVE_JOBS_INDEX = 'activeJobs';

export interface KeyDefinition {
  partitionKey: string;
  sortKey: string;
}

/** The table: string keys only, on-demand billing, every GSI projects all attributes. */
export const TABLE_DEFINITION = {
  billing: 'PAY_PER_REQUEST',
  key: { partitionKey: 'pk', sortKey: 'sk' },
  globalSecondaryIndexes: [
    { indexName: OWNER_INDEX, partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { indexName: ACTIVE_JOBS_INDEX, partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
    { indexName: OWNER_STATUS_INDEX, partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  ],
  /** Expires tombstones, idempotency keys, deletion records and upload records (epoch seconds). */
  ttlAttribute: 'expiresAt',
} as const satisfies {
  billing: 'PAY_PER_REQUEST';
  key: KeyDefinition;
  globalSecondaryIndexes: readonly (KeyDefinition & { indexName: string })[];
  ttlAttribute: string;
};

/** Every attribute used in a key of the table or an index (all strings). */
export function keyAttributes(): string[] {
  const { key, globalSecondaryIndexes } = TABLE_DEFINITION;
  return [key, ...globalSecondaryIndexes].flatMap((k) => [k.partitionKey, k.sortKey]);
}

/**
 * The bucket's lifecycle rule aborts multipart uploads still incomplete this many days after they
 * started: beyond UPLOAD_EXPIRY_SECONDS (at most a day), so it never cuts a live upload short; the
 * sweeper aborts expired ones sooner.
 */
export const INCOMPLETE_UPLOAD_DAYS = 2;

/** The dead-letter queue keeps messages 14 days, SQS's maximum, for `npm run dlq`. */
export const DLQ_RETENTION_SECONDS = 1_209_600;

/** Each api instance's event queue keeps events only 5 minutes: subscribers resync from DynamoDB. */
export const EVENT_QUEUE_RETENTION_SECONDS = 300;

/**
 * Prefix of the per-api-instance event queues (`<prefix>-<instance id>`), subscribed to the events
 * topic. The api creates and deletes these itself, so IAM scopes its queue rights to this prefix.
 */
export function eventQueuePrefix(eventsTopicName: string): string {
  return `${eventsTopicName}-api`;
}
