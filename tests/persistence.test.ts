import { afterAll, describe, expect, it } from 'vitest';
import { gql, uploadFile, watchUntilDone } from './support/graphql.js';
import {
  Disposables,
  removeDir,
  startApi,
  startEmbeddedEmulators,
  startWorker,
  tempDir,
  testConfig,
} from './support/stack.js';

const dataDir = tempDir();
afterAll(() => removeDir(dataDir));

const GET = `query($id: ID!) { document(id: $id) { id filename size sha256 status detectedType downloadUrl job { status version } } }`;

describe('embedded emulators persist under the data dir', () => {
  it('keeps documents, jobs and bytes across a full restart', async () => {
    const body = 'I will survive a restart\n';
    let before: any;
    const first = new Disposables();
    try {
      const aws = await startEmbeddedEmulators(first, dataDir);
      const config = testConfig(aws, {}, 'persist');
      const api = await startApi(config, first);
      await startWorker(config, first);
      const up = await uploadFile(api.url, body, 'survivor.txt');
      await watchUntilDone(api.wsUrl, up.data!.uploadDocument.job.id);
      before = (await gql(api.url, GET, { id: up.data!.uploadDocument.id })).data!.document;
      expect(before.status).toBe('COMPLETED');
    } finally {
      await first.disposeAll();
    }

    // New emulator processes state, new ports, same data dir.
    const second = new Disposables();
    try {
      const aws = await startEmbeddedEmulators(second, dataDir);
      const config = testConfig(aws, {}, 'persist');
      const api = await startApi(config, second);
      const after = (await gql(api.url, GET, { id: before.id })).data!.document;
      const { downloadUrl: _a, ...stable } = after;
      const { downloadUrl: _b, ...expected } = before;
      expect(stable).toEqual(expected);
      const bytes = await (await fetch(after.downloadUrl)).text();
      expect(bytes).toBe(body);
      const list = await gql(api.url, '{ documents { edges { node { id } } } }');
      expect(list.data!.documents.edges.map((e: any) => e.node.id)).toContain(before.id);

      // The pipeline still works after the restart.
      const up = await uploadFile(api.url, 'after restart');
      await startWorker(config, second);
      const events = await watchUntilDone(api.wsUrl, up.data!.uploadDocument.job.id);
      expect(events.at(-1).status).toBe('COMPLETED');
    } finally {
      await second.disposeAll();
    }
  });
});
