import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AwsClients } from './clients.js';
import { isErrorNamed } from './bootstrap.js';

/**
 * Fixed-window request counts in the one table, shared by every api replica: one conditional
 * UpdateItem (`ADD hits 1` while `hits < max`) per request on `RATE#<owner>#<window start>`, which
 * expires (TTL) after its window. Written by hand rather than with rate-limiter-flexible's DynamoDB
 * store, which needs a table of its own schema and creates it itself at start-up.
 */
export class RequestCounter {
  constructor(
    private readonly aws: AwsClients,
    private readonly table: string,
  ) {}

  /** Counts one request; false when the owner already made `max` in this window. */
  async hit(ownerId: string, windowStart: number, windowSeconds: number, max: number): Promise<boolean> {
    try {
      await this.aws.ddb.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `RATE#${ownerId}#${windowStart}`, sk: 'RATE' },
          UpdateExpression: 'ADD hits :one SET expiresAt = if_not_exists(expiresAt, :expires)',
          ConditionExpression: 'attribute_not_exists(hits) OR hits < :max',
          ExpressionAttributeValues: { ':one': 1, ':max': max, ':expires': windowStart + windowSeconds * 2 },
        }),
      );
      return true;
    } catch (err) {
      if (isErrorNamed(err, 'ConditionalCheckFailedException')) return false;
      throw err;
    }
  }
}
