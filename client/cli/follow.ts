import type { DocpipeClient, Document } from '../sdk/node.js';
import type { FileProgress } from './progress.js';

/** Follows a job on its progress line, then reads the document again for its final fields. */
export async function follow(
  client: DocpipeClient,
  jobId: string,
  bar: FileProgress,
  doc: Document,
): Promise<Document> {
  for await (const job of client.watchJob(jobId)) bar.job(job);
  return (await client.document(doc.id)) ?? doc;
}
