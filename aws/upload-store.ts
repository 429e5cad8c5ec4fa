import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { UploadRecord, UploadState } from '../domain/uploads.js';
import type { BlobStore } from './blob-store.js';
import type { AwsClients } from './clients.js';
import type { DocumentStore } from './document-store.js';
import { ACTIVE_JOBS_INDEX, isErrorNamed } from './bootstrap.js';

/** Partition of the sparse `activeJobs` index that holds direct uploads by expiry time. */
const EXPIRY_PARTITION = 'UPLOAD_EXPIRY';

/** DynamoDB deletes a forgotten record this long after the upload expired (the sweeper is first). */
const TTL_GRACE_SECONDS = 24 * 3600;

/**
 * Direct uploads in DynamoDB: `UPLOAD#<id>` / `UPLOAD`. The table's TTL attribute `expiresAt`
 * (epoch seconds) is set a day after the upload's own expiry (kept as ISO time in `expiresIso`),
 * and the item sits in the `activeJobs` index under its own partition, so the sweeper finds
 * expired uploads by Query.
 */
export class UploadStore {
  constructor(
    private readonly aws: AwsClients,
    private readonly table: string,
  ) {}

  async put(upload: UploadRecord): Promise<void> {
    await this.aws.ddb.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: `UPLOAD#${upload.id}`,
          sk: 'UPLOAD',
          entity: 'upload',
          gsi3pk: EXPIRY_PARTITION,
          gsi3sk: upload.expiresAt,
          ...upload,
          expiresIso: upload.expiresAt,
          expiresAt: Math.floor(Date.parse(upload.expiresAt) / 1000) + TTL_GRACE_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /** The owner's upload, or null: another owner's answers exactly like a missing one. */
  async get(ownerId: string, id: string): Promise<UploadRecord | null> {
    const res = await this.aws.ddb.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: `UPLOAD#${id}`, sk: 'UPLOAD' },
        ConsistentRead: true,
      }),
    );
    const upload = res.Item ? toUpload(res.Item) : null;
    return upload && upload.ownerId === ownerId ? upload : null;
  }

  /** Moves the upload from one state to another; false when it is not in `from` (or gone). */
  async setState(id: string, from: UploadState, to: UploadState): Promise<boolean> {
    try {
      await this.aws.ddb.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `UPLOAD#${id}`, sk: 'UPLOAD' },
          UpdateExpression: 'SET #state = :to',
          ConditionExpression: '#state = :from',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':from': from, ':to': to },
        }),
      );
      return true;
    } catch (err) {
      if (isErrorNamed(err, 'ConditionalCheckFailedException')) return false;
      throw err;
    }
  }

  async delete(id: string): Promise<void> {
    await this.aws.ddb.send(
      new DeleteCommand({ TableName: this.table, Key: { pk: `UPLOAD#${id}`, sk: 'UPLOAD' } }),
    );
  }

  /** Uploads whose expiry is before `before` (ISO time), oldest first: an index Query, not a Scan. */
  async listExpired(before: string, limit: number): Promise<UploadRecord[]> {
    const res = await this.aws.ddb.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: ACTIVE_JOBS_INDEX,
        KeyConditionExpression: 'gsi3pk = :p AND gsi3sk < :before',
        ExpressionAttributeValues: { ':p': EXPIRY_PARTITION, ':before': before },
        Limit: limit,
      }),
    );
    return (res.Items ?? []).map(toUpload);
  }
}

function toUpload(item: Record<string, unknown>): UploadRecord {
  const { pk: _pk, sk: _sk, entity: _e, gsi3pk: _g1, gsi3sk: _g2, expiresIso, ...rest } = item;
  return { ...rest, expiresAt: expiresIso } as unknown as UploadRecord;
}

/**
 * Forgets an upload that will not become a document (aborted, expired, or refused at completion):
 * S3's multipart upload and parts, the object if its completion got that far, the idempotency key
 * and the record. An upload whose document exists (a completion that succeeded but died before
 * deleting the record) only loses its record.
 */
export async function discardUpload(
  deps: {
    uploads: Pick<UploadStore, 'delete'>;
    blobs: Pick<BlobStore, 'abortMultipart' | 'delete'>;
    store: Pick<DocumentStore, 'getDocument' | 'releaseIdempotencyKey'>;
  },
  upload: UploadRecord,
): Promise<void> {
  if (!(await deps.store.getDocument(upload.ownerId, upload.id))) {
    await deps.blobs.abortMultipart(upload.key, upload.s3UploadId);
    await deps.blobs.delete(upload.key);
    if (upload.idempotencyKey) {
      await deps.store.releaseIdempotencyKey(upload.ownerId, upload.idempotencyKey, upload.id);
    }
  }
  await deps.uploads.delete(upload.id);
}
