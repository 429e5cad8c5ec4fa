/** The lint rules that keep the layers apart fire on a violation (and stay quiet otherwise). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: root });

async function violations(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const used = x;\n`, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer boundaries (eslint.config.js)', () => {
  const cases: [file: string, importLine: string, expected: RegExp | null][] = [
    [
      'server/graphql/example.ts',
      "import { x } from '../../aws/clients.js';",
      /server\/graphql reaches storage/,
    ],
    [
      'server/graphql/example.ts',
      "import { x } from '@aws-sdk/client-s3';",
      /server\/graphql reaches storage/,
    ],
    ['server/graphql/example.ts', "import { x } from '../../domain/model.js';", null],
    ['server/example.ts', "import { x } from '../worker/process-job.js';", /never import each other/],
    ['server/example.ts', "import { x } from '../aws/clients.js';", null],
    ['worker/example.ts', "import { x } from '../server/document-service.js';", /never import each other/],
    ['ops/example.ts', "import { x } from '../server/document-service.js';", /ops\/ uses aws\/ and domain\//],
    ['auth/example.ts', "import { x } from '../aws/clients.js';", /auth\/ may import/],
    ['domain/example.ts', "import { x } from '@aws-sdk/client-s3';", /domain\/ must not depend/],
    ['infra/lib/example.ts', "import { x } from '../../aws/connect.js';", /infra\/ may import/],
    ['infra/lib/example.ts', "import { x } from '../../aws/table-definition.js';", null],
    ['infra/lib/example.ts', "import { x } from '../../domain/config.js';", null],
    ['telemetry/example.ts', "import { x } from '../aws/clients.js';", /telemetry\/ may import/],
    ['telemetry/example.ts', "import { x } from '../domain/config.js';", null],
    ['aws/example.ts', "import { x } from '../telemetry/metrics.js';", null],
    ['client/sdk/example.ts', "import { x } from '../../server/create-server.js';", /GraphQL only/],
  ];
  for (const [file, line, expected] of cases) {
    it(`${file}: ${line}`, async () => {
      const found = await violations(file, line);
      if (expected) expect(found.join('\n')).toMatch(expected);
      else expect(found).toEqual([]);
    });
  }
});

describe('schema lint (@graphql-eslint on schema/schema.graphql)', () => {
  const schema = readFileSync(`${root}schema/schema.graphql`, 'utf8');
  const lint = async (sdl: string) => {
    const [result] = await eslint.lintText(sdl, { filePath: 'schema/schema.graphql' });
    return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
  };

  it('passes the committed schema', async () => {
    expect(await lint(schema)).toEqual([]);
  });

  it('fires on an entity without an id, an undescribed type, and a connection field without paging', async () => {
    const messages = await lint(
      `${schema}\n"""A thing."""\ntype Widget { name: String! }\ntype Gadget { id: ID! }\n` +
        'extend type Query {\n  """Widgets."""\n  widgets(first: Int): DocumentConnection!\n}\n',
    );
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/strict-id-in-types: type "Widget" must have exactly one/),
        expect.stringMatching(/require-description: Description is required for type "Gadget"/),
        expect.stringMatching(/relay-arguments: A field that returns a Connection type must include/),
      ]),
    );
  });
});
