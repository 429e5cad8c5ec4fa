import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  type ScanCommandOutput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { badInput } from '../domain/errors.js';
import {
  isTerminal,
  JobStatus,
  type DocumentRecord,
  type DocumentStatusPatch,
  type JobRecord,
  type RunFence,
} from '../domain/model.js';
import type { AwsClients } from './clients.js';
import { ACTIVE_JOBS_INDEX, OWNER_INDEX, OWNER_STATUS_INDEX, isErrorNamed } from './bootstrap.js';

/**
 * DynamoDB access for documents and jobs: one table, items keyed `DOC#<id>` and `JOB#<id>`,
 * plus the `byOwner` GSI for newest-first listing. Every read a request makes goes by key or GSI
 * Query; the one Scan (`scanDocuments`) rebuilds or catches up a search index, never per request.
 */
export class DocumentStore {
  constructor(
    private readonly aws: AwsClients,
    private readonly table: string,
  ) {}

  /** Writes the job, then the document; if the second write fails the first is undone. */
  async createDocument(doc: DocumentRecord, job: JobRecord): Promise<void> {
    await this.aws.ddb.send(
      new PutCommand({
        TableName: this.table,
        Item: jobItem(job),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    try {
      await this.aws.ddb.send(
        new PutCommand({
          TableName: this.table,
          Item: documentItem(doc),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      await this.deleteJob(job.id).catch(() => undefined);
      throw err;
    }
  }

  async getDocument(ownerId: string, id: string): Promise<DocumentRecord | null> {
    const res = await this.aws.ddb.send(
      new GetCommand({ TableName: this.table, Key: { pk: `DOC#${id}`, sk: 'DOC' }, ConsistentRead: true }),
    );
    const doc = res.Item ? toDocument(res.Item) : null;
    return doc && doc.ownerId === ownerId ? doc : null;
  }

  /**
   * A job and its document in one strongly consistent request (what a worker reads before a run).
   * The document is null when it is gone or belongs to another owner.
   */
  async getJobAndDocument(
    jobId: string,
    ownerId: string,
    documentId: string,
  ): Promise<{ job: JobRecord | null; document: DocumentRecord | null }> {
    const keys = [
      { pk: `JOB#${jobId}`, sk: 'JOB' },
      { pk: `DOC#${documentId}`, sk: 'DOC' },
    ];
    const items = await this.batchGet(keys);
    const jobItemFound = items.find((i) => i['pk'] === keys[0]!.pk);
    const docItemFound = items.find((i) => i['pk'] === keys[1]!.pk);
    const document = docItemFound ? toDocument(docItemFound) : null;
    return {
      job: jobItemFound ? toJob(jobItemFound) : null,
      document: document && document.ownerId === ownerId ? document : null,
    };
  }

  /**
   * A page of the owner's documents (optionally one status only; cursors: {@link encodeCursor}), newest first: the `limit` after `cursor` (from the newest
   * without one), or `backward`, the `limit` just before it (from the oldest without one; read
   * oldest-first, then turned round). `hasMore`: another page lies beyond, in the direction read.
   */
  async listDocuments(
    ownerId: string,
    opts: { limit: number; cursor?: string; backward?: boolean; status?: JobStatus },
  ): Promise<{ items: DocumentRecord[]; hasMore: boolean }> {
    const start = opts.cursor ? decodeCursor(opts.cursor) : undefined;
    const [index, pkName, skName, partition] = opts.status
      ? [OWNER_STATUS_INDEX, 'gsi2pk', 'gsi2sk', `OWNER#${ownerId}#${opts.status}`]
      : [OWNER_INDEX, 'gsi1pk', 'gsi1sk', `OWNER#${ownerId}`];
    const res = await this.aws.ddb.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: index,
        KeyConditionExpression: '#pk = :partition',
        ExpressionAttributeNames: { '#pk': pkName },
        ExpressionAttributeValues: { ':partition': partition },
        ScanIndexForward: opts.backward === true,
        // One extra item tells us whether another page exists without a second request.
        Limit: opts.limit + 1,
        ...(start
          ? {
              ExclusiveStartKey: {
                pk: `DOC#${start.id}`,
                sk: 'DOC',
                [pkName]: partition,
                [skName]: `${start.createdAt}#${start.id}`,
              },
            }
          : {}),
      }),
    );
    const items = (res.Items ?? []).map(toDocument).slice(0, opts.limit);
    if (opts.backward) items.reverse();
    return { items, hasMore: (res.Items ?? []).length > opts.limit };
  }

  /**
   * Sets the document's status (and its status-index key). Returns false when the document is gone
   * (deleted while a job ran) or not `ownerId`'s, or, with a `fence`, when the run may no longer
   * write it: its job is not the document's current one, or a later attempt of it has written
   * since, or, unclaimed, when any run has written it. The write records the fence's claim.
   */
  async updateDocumentStatus(
    id: string,
    ownerId: string,
    patch: DocumentStatusPatch,
    opts: { fence?: RunFence } = {},
  ): Promise<boolean> {
    const names: Record<string, string> = {
      '#status': 'status',
      '#updatedAt': 'updatedAt',
      '#gsi2pk': 'gsi2pk',
      '#ownerId': 'ownerId',
    };
    const values: Record<string, unknown> = {
      ':status': patch.status,
      ':updatedAt': patch.updatedAt,
      ':gsi2pk': `OWNER#${ownerId}#${patch.status}`,
      ':ownerId': ownerId,
    };
    let expr = 'SET #status = :status, #updatedAt = :updatedAt, #gsi2pk = :gsi2pk';
    if (patch.detectedType !== undefined) {
      names['#detectedType'] = 'detectedType';
      values[':detectedType'] = patch.detectedType;
      expr += ', #detectedType = :detectedType';
    }
    if (patch.result !== undefined) {
      names['#result'] = 'result';
      values[':result'] = patch.result;
      expr += ', #result = :result';
    }
    // Only the owner's document: the owner names the status index's partition.
    let condition = 'attribute_exists(pk) AND #ownerId = :ownerId';
    if (opts.fence) {
      Object.assign(names, { '#claim': 'claim', '#currentJobId': 'currentJobId' });
      Object.assign(values, {
        ':claim': opts.fence.claim,
        ':job': opts.fence.jobId,
        ':jobPrefix': `${opts.fence.jobId}#`,
      });
      expr += ', #claim = :claim';
      condition +=
        ' AND #currentJobId = :job AND (attribute_not_exists(#claim) OR NOT begins_with(#claim, :jobPrefix) OR #claim <= :claim)';
      if (opts.fence.unclaimed) {
        values[':queued'] = JobStatus.QUEUED;
        condition += ' AND attribute_not_exists(#claim) AND #status = :queued';
      }
    }
    try {
      await this.aws.ddb.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `DOC#${id}`, sk: 'DOC' },
          UpdateExpression: expr,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (err) {
      if (isErrorNamed(err, 'ConditionalCheckFailedException')) return false;
      throw err;
    }
  }

  /**
   * Points the document at a new job (reprocessing), only if its current job is still
   * `expectedJobId`; writes the new job first. Returns false if someone else switched it.
   */
  async replaceCurrentJob(doc: DocumentRecord, job: JobRecord): Promise<boolean> {
    await this.aws.ddb.send(
      new PutCommand({
        TableName: this.table,
        Item: jobItem(job),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    try {
      await this.aws.ddb.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `DOC#${doc.id}`, sk: 'DOC' },
          UpdateExpression:
            'SET currentJobId = :job, jobIds = list_append(jobIds, :jobs), #status = :status, gsi2pk = :gsi2pk, updatedAt = :now',
          ConditionExpression: 'currentJobId = :expected',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':job': job.id,
            ':jobs': [job.id],
            ':status': job.status,
            ':gsi2pk': `OWNER#${doc.ownerId}#${job.status}`,
            ':now': job.createdAt,
            ':expected': doc.currentJobId,
          },
        }),
      );
      return true;
    } catch (err) {
      await this.deleteJob(job.id).catch(() => undefined);
      if (isErrorNamed(err, 'ConditionalCheckFailedException')) return false;
      throw err;
    }
  }

  async getJob(id: string): Promise<JobRecord | null> {
    const res = await this.aws.ddb.send(
      new GetCommand({ TableName: this.table, Key: { pk: `JOB#${id}`, sk: 'JOB' }, ConsistentRead: true }),
    );
    return res.Item ? toJob(res.Item) : null;
  }

  /**
   * The owner's documents changed after `after` (ISO time), oldest change first: a Query of the
   * owner's partition of the byOwner index filtered on updatedAt, at most `limit` documents.
   */
  async listDocumentsChangedSince(
    ownerId: string,
    after: string,
    limit: number,
  ): Promise<{ items: DocumentRecord[]; complete: boolean }> {
    const items: DocumentRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.aws.ddb.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: OWNER_INDEX,
          KeyConditionExpression: 'gsi1pk = :owner',
          FilterExpression: 'updatedAt > :after',
          ExpressionAttributeValues: { ':owner': `OWNER#${ownerId}`, ':after': after },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...(res.Items ?? []).map(toDocument));
      start = res.LastEvaluatedKey;
    } while (start && items.length <= limit);
    items.sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
    return { items: items.slice(0, limit), complete: items.length <= limit };
  }

  /** Remembers a deletion in the owner's feed for `ttlSeconds` (resuming `documentEvents`). */
  async putDeletion(ownerId: string, documentId: string, at: string, ttlSeconds: number): Promise<void> {
    await this.aws.ddb.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: `DELETED#${ownerId}`,
          sk: `${at}#${documentId}`,
          entity: 'deletion',
          documentId,
          at,
          expiresAt: Math.floor(Date.now() / 1000) + ttlSeconds,
        },
      }),
    );
  }

  /** The owner's deletions after `after` (ISO time), oldest first. */
  async listDeletionsSince(ownerId: string, after: string): Promise<{ documentId: string; at: string }[]> {
    const found: { documentId: string; at: string }[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.aws.ddb.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND sk > :after',
          ExpressionAttributeValues: { ':pk': `DELETED#${ownerId}`, ':after': after },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of res.Items ?? [])
        found.push({ documentId: String(item['documentId']), at: String(item['at']) });
      start = res.LastEvaluatedKey;
    } while (start);
    return found;
  }

  /** The owner's documents among `ids` (batch reads); missing or other owners' ids are absent. */
  async getDocuments(ownerId: string, ids: readonly string[]): Promise<Map<string, DocumentRecord>> {
    const found = new Map<string, DocumentRecord>();
    for (let i = 0; i < ids.length; i += 100) {
      const keys = ids.slice(i, i + 100).map((id) => ({ pk: `DOC#${id}`, sk: 'DOC' }));
      for (const item of await this.batchGet(keys)) {
        const doc = toDocument(item);
        if (doc.ownerId === ownerId) found.set(doc.id, doc);
      }
    }
    return found;
  }

  /**
   * Every document updated after `updatedAfter` (all when undefined), a page at a time: a Scan of the
   * whole table (its cost grows with the table, not with the result), for rebuilding read models.
   */
  async *scanDocuments(updatedAfter?: string): AsyncGenerator<DocumentRecord[]> {
    let start: Record<string, unknown> | undefined;
    do {
      const res: ScanCommandOutput = await this.aws.ddb.send(
        new ScanCommand({
          TableName: this.table,
          FilterExpression: updatedAfter ? 'sk = :doc AND updatedAt > :since' : 'sk = :doc',
          ExpressionAttributeValues: { ':doc': 'DOC', ...(updatedAfter ? { ':since': updatedAfter } : {}) },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      const docs = (res.Items ?? []).map(toDocument);
      if (docs.length > 0) yield docs;
      start = res.LastEvaluatedKey;
    } while (start);
  }

  /** Batch read (at most 100 ids per call, as DynamoDB allows); missing ids are absent from the map. */
  async getJobs(ids: readonly string[]): Promise<Map<string, JobRecord>> {
    const found = new Map<string, JobRecord>();
    for (let i = 0; i < ids.length; i += 100) {
      const keys = ids.slice(i, i + 100).map((id) => ({ pk: `JOB#${id}`, sk: 'JOB' }));
      for (const item of await this.batchGet(keys)) {
        const job = toJob(item);
        found.set(job.id, job);
      }
    }
    return found;
  }

  /** Strongly consistent BatchGetItem of ≤ 100 keys, asking again for any it left unprocessed. */
  private async batchGet(keys: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let pending: Record<string, unknown>[] | undefined = keys;
    while (pending && pending.length > 0) {
      const res: BatchGetCommandOutput = await this.aws.ddb.send(
        new BatchGetCommand({ RequestItems: { [this.table]: { Keys: pending, ConsistentRead: true } } }),
      );
      items.push(...(res.Responses?.[this.table] ?? []));
      pending = res.UnprocessedKeys?.[this.table]?.Keys;
    }
    return items;
  }

  /**
   * Replaces the job with `next` only if the stored version is still `next.version - 1`.
   * Returns false when another writer got there first (the caller re-reads and decides).
   */
  async putJobIfVersion(next: JobRecord): Promise<boolean> {
    try {
      await this.aws.ddb.send(
        new PutCommand({
          TableName: this.table,
          Item: jobItem(next),
          // Fails on a missing item too, so a deleted job is never recreated; and on another
          // document's or owner's job, so a writer can never move a job (the worker writes from a
          // message's snapshot, unread).
          ConditionExpression: 'version = :expected AND documentId = :documentId AND ownerId = :ownerId',
          ExpressionAttributeValues: {
            ':expected': next.version - 1,
            ':documentId': next.documentId,
            ':ownerId': next.ownerId,
          },
        }),
      );
      return true;
    } catch (err) {
      if (isErrorNamed(err, 'ConditionalCheckFailedException')) return false;
      throw err;
    }
  }

  /**
   * Claims an upload idempotency key for `documentId`. Returns null when claimed, or the document id
   * an earlier upload with the same key (within the window) claimed.
   */
  async claimIdempotencyKey(
    ownerId: string,
    key: string,
    documentId: string,
    ttlSeconds: number,
  ): Promise<string | null> {
    const now = Math.floor(Date.now() / 1000);
    const Key = { pk: `IDEMPOTENCY#${ownerId}#${key}`, sk: 'IDEMPOTENCY' };
    try {
      await this.aws.ddb.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...Key, entity: 'idempotency', documentId, expiresAt: now + ttlSeconds },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return null;
    } catch (err) {
      if (!isErrorNamed(err, 'ConditionalCheckFailedException')) throw err;
    }
    const res = await this.aws.ddb.send(new GetCommand({ TableName: this.table, Key, ConsistentRead: true }));
    return String(res.Item?.['documentId']);
  }

  async releaseIdempotencyKey(ownerId: string, key: string, documentId: string): Promise<void> {
    await this.aws.ddb
      .send(
        new DeleteCommand({
          TableName: this.table,
          Key: { pk: `IDEMPOTENCY#${ownerId}#${key}`, sk: 'IDEMPOTENCY' },
          ConditionExpression: 'documentId = :doc',
          ExpressionAttributeValues: { ':doc': documentId },
        }),
      )
      .catch((err) => {
        if (!isErrorNamed(err, 'ConditionalCheckFailedException')) throw err;
      });
  }

  /**
   * Leaves a marker that the document was deleted on purpose, so a worker receiving a message for
   * one of its jobs drops it quietly instead of treating it as poison. Expires with `ttlSeconds`
   * (DynamoDB TTL attribute `expiresAt`; readers also check the time).
   */
  async putTombstone(documentId: string, ttlSeconds: number): Promise<void> {
    await this.aws.ddb.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: `DOC#${documentId}`,
          sk: 'TOMBSTONE',
          entity: 'tombstone',
          expiresAt: Math.floor(Date.now() / 1000) + ttlSeconds,
        },
      }),
    );
  }

  async isDocumentDeleted(documentId: string): Promise<boolean> {
    const res = await this.aws.ddb.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: `DOC#${documentId}`, sk: 'TOMBSTONE' },
        ConsistentRead: true,
      }),
    );
    return res.Item !== undefined && Number(res.Item['expiresAt']) > Date.now() / 1000;
  }

  async deleteDocument(id: string): Promise<void> {
    await this.aws.ddb.send(
      new DeleteCommand({ TableName: this.table, Key: { pk: `DOC#${id}`, sk: 'DOC' } }),
    );
  }

  /**
   * Unfinished jobs whose last change (or last sweep) is older than `before` (ISO time), oldest first.
   * A GSI Query, not a Scan: the index only holds unfinished jobs.
   */
  async listStaleJobs(before: string, limit: number): Promise<{ job: JobRecord; indexedAt: string }[]> {
    const res = await this.aws.ddb.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: ACTIVE_JOBS_INDEX,
        KeyConditionExpression: 'gsi3pk = :active AND gsi3sk < :before',
        ExpressionAttributeValues: { ':active': 'ACTIVE', ':before': before },
        Limit: limit,
      }),
    );
    return (res.Items ?? []).map((item) => ({ job: toJob(item), indexedAt: String(item['gsi3sk']) }));
  }

  /**
   * Marks a stale job as swept (moves its index time to `at`) without changing the job itself, so
   * it is not re-sent again before the next stale window. False if the job changed meanwhile.
   */
  async markSwept(job: JobRecord, indexedAt: string, at: string): Promise<boolean> {
    try {
      await this.aws.ddb.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `JOB#${job.id}`, sk: 'JOB' },
          UpdateExpression: 'SET gsi3sk = :at',
          // Both: the job did not change, and no other worker swept it since we read it.
          ConditionExpression: 'version = :version AND gsi3sk = :seen',
          ExpressionAttributeValues: { ':at': at, ':version': job.version, ':seen': indexedAt },
        }),
      );
      return true;
    } catch (err) {
      if (isErrorNamed(err, 'ConditionalCheckFailedException')) return false;
      throw err;
    }
  }

  async deleteJob(id: string): Promise<void> {
    await this.aws.ddb.send(
      new DeleteCommand({ TableName: this.table, Key: { pk: `JOB#${id}`, sk: 'JOB' } }),
    );
  }
}

const CursorSchema = z.object({
  c: z.iso.datetime(),
  i: z.uuid(),
});

/** Opaque page cursor: base64url of the last item's sort key parts. */
export function encodeCursor(doc: Pick<DocumentRecord, 'createdAt' | 'id'>): string {
  return Buffer.from(JSON.stringify({ c: doc.createdAt, i: doc.id })).toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    if (cursor.length > 200) throw new Error('too long');
    const parsed = CursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { createdAt: parsed.c, id: parsed.i };
  } catch {
    throw badInput('Malformed cursor: pass an endCursor or cursor returned by a previous page', {
      argument: 'after',
    });
  }
}

function documentItem(doc: DocumentRecord): Record<string, unknown> {
  return {
    pk: `DOC#${doc.id}`,
    sk: 'DOC',
    gsi1pk: `OWNER#${doc.ownerId}`,
    gsi1sk: `${doc.createdAt}#${doc.id}`,
    gsi2pk: `OWNER#${doc.ownerId}#${doc.status}`,
    gsi2sk: `${doc.createdAt}#${doc.id}`,
    entity: 'document',
    ...doc,
  };
}

function jobItem(job: JobRecord): Record<string, unknown> {
  // Only unfinished jobs are in the activeJobs index (sparse), keyed by their last change.
  const active = isTerminal(job.status) ? {} : { gsi3pk: 'ACTIVE', gsi3sk: job.updatedAt };
  return { pk: `JOB#${job.id}`, sk: 'JOB', entity: 'job', ...active, ...job };
}

function toDocument(item: Record<string, unknown>): DocumentRecord {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, gsi2pk: _g3, gsi2sk: _g4, entity: _e, ...rest } = item;
  return { detectedType: null, ...rest } as DocumentRecord;
}

function toJob(item: Record<string, unknown>): JobRecord {
  const { pk: _pk, sk: _sk, entity: _e, gsi3pk: _g1, gsi3sk: _g2, ...rest } = item;
  return rest as unknown as JobRecord;
}
