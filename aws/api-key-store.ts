import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyRecord } from '../domain/model.js';
import type { AwsClients } from './clients.js';
import { isErrorNamed } from './bootstrap.js';

/**
 * API keys in the one table, two items each: `APIKEY#<id>` (looked up on every request made with
 * the key: owner and the SHA-256 of its secret, never the secret) and `OWNER#<owner>` /
 * `APIKEY#<id>` (the owner's list). Revoking marks the lookup item first, so the key stops working
 * before the list says so.
 */
export class ApiKeyStore {
  constructor(
    private readonly aws: AwsClients,
    private readonly table: string,
  ) {}

  async create(key: ApiKeyRecord, secretHash: string): Promise<void> {
    await this.aws.ddb.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: `APIKEY#${key.id}`, sk: 'APIKEY', entity: 'apiKey', ...key, secretHash },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    await this.aws.ddb.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: `OWNER#${key.ownerId}`, sk: `APIKEY#${key.id}`, entity: 'apiKeyListing', ...key },
      }),
    );
  }

  /** The key and its secret hash, or null. Strongly consistent: a revocation applies at once. */
  async find(id: string): Promise<(ApiKeyRecord & { secretHash: string }) | null> {
    const res = await this.aws.ddb.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: `APIKEY#${id}`, sk: 'APIKEY' },
        ConsistentRead: true,
      }),
    );
    if (!res.Item) return null;
    const { pk: _pk, sk: _sk, entity: _e, ...rest } = res.Item;
    return rest as ApiKeyRecord & { secretHash: string };
  }

  /** The owner's keys, newest first (ids are UUIDv7, so time-ordered); at most `limit`. */
  async list(ownerId: string, limit: number): Promise<ApiKeyRecord[]> {
    const res = await this.aws.ddb.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `OWNER#${ownerId}`, ':prefix': 'APIKEY#' },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (res.Items ?? []).map((item) => {
      const { pk: _pk, sk: _sk, entity: _e, ...rest } = item;
      return rest as ApiKeyRecord;
    });
  }

  /** Revokes the owner's key; false when there is no such key of this owner or it was revoked already. */
  async revoke(ownerId: string, id: string, at: string): Promise<boolean> {
    const revoke = (key: Record<string, string>) =>
      this.aws.ddb.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key,
          UpdateExpression: 'SET revokedAt = :at',
          ConditionExpression: 'ownerId = :owner AND attribute_type(revokedAt, :null)',
          ExpressionAttributeValues: { ':at': at, ':owner': ownerId, ':null': 'NULL' },
        }),
      );
    try {
      await revoke({ pk: `APIKEY#${id}`, sk: 'APIKEY' });
    } catch (err) {
      if (isErrorNamed(err, 'ConditionalCheckFailedException')) return false;
      throw err;
    }
    await revoke({ pk: `OWNER#${ownerId}`, sk: `APIKEY#${id}` }).catch((err: unknown) => {
      if (!isErrorNamed(err, 'ConditionalCheckFailedException')) throw err;
    });
    return true;
  }
}
