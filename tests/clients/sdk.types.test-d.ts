/**
 * Compile-time checks of the generated SDK types, run by `npm run typecheck` (tsc), not by vitest.
 * Each `@ts-expect-error` must stay an error: if a line started compiling (say, a misspelt field
 * became valid because the types turned into `any`), tsc reports the unused directive and fails.
 */
import { DocumentByIdDocument } from '../../client/generated/graphql.js';
import { createClient, type Document, type Job } from '../../client/sdk/index.js';

const client = createClient({ url: 'http://127.0.0.1:4000/graphql' });

export async function documentFieldsAreTyped(): Promise<void> {
  const doc = await client.document('some-id');
  if (!doc) return;
  const name: string = doc.filename;
  const detected: string | null = doc.detectedType;
  // @ts-expect-error misspelt field: Document has `filename`, not `filenmae`
  const misspelt = doc.filenmae;
  // @ts-expect-error `size` is a number
  const size: string = doc.size;
  void [name, detected, misspelt, size];
}

export async function variablesAndEnumsAreTyped(): Promise<void> {
  // @ts-expect-error not a JobStatus
  await client.documents({ status: 'DONE' });
  // @ts-expect-error the variable is `id`, not `documentId`
  await client.request(DocumentByIdDocument, { documentId: 'x' });
  const page = await client.documents({ status: 'COMPLETED', first: 10 });
  const first: Document | undefined = page.edges[0]?.node;
  void first;
}

export async function watchYieldsJobs(): Promise<void> {
  for await (const job of client.watchJob('job-id')) {
    const progress: number = job.progress;
    // @ts-expect-error misspelt field on Job
    const stage = job.stgae;
    const typed: Job = job;
    void [progress, stage, typed];
  }
}
