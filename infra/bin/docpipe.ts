/**
 * The CDK app: `npm run infra:synth` (offline, no credentials) writes infra/cdk.out; `npx aws-cdk
 * deploy` (cdk.json) deploys it. Context: certificateArn (required to deploy), domainName,
 * natGateways, alarmEmail, stackName. Settings the containers get come from the same variables
 * the code reads (domain/config.ts), taken from this process's environment.
 */
import { App, Validations } from 'aws-cdk-lib';
import cdkNag from 'cdk-nag';

import { CONFIG_ENV_NAMES, loadConfig, type ConfigEnvName } from '../../domain/config.js';
import { DocpipeStack } from '../lib/docpipe-stack.js';

const { AwsSolutionsChecks } = cdkNag;

/**
 * Settings from the deploying shell that reach the containers: variables of the schema only, and
 * none that describe the local machine (HOST, PORT, DATA_DIR, endpoints, the dev edge), a secret
 * (AUTH_SECRET lives in Secrets Manager), or ALLOWED_HOSTS (the ALB checks the host name: the api's
 * own check would refuse the ALB's health checks; use -c domainName).
 */
const LOCAL_ONLY =
  /^(NODE_ENV|HOST|PORT|DATA_DIR|AWS_.*|EMBEDDED_.*|EDGE_.*|DEV_OWNER_ID|AUTH_SECRET|DEBUG_.*|ALLOWED_HOSTS)$/;
const deployEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    (entry): entry is [ConfigEnvName, string] =>
      CONFIG_ENV_NAMES.includes(entry[0]) &&
      !LOCAL_ONLY.test(entry[0]) &&
      entry[1] !== undefined &&
      entry[1] !== '',
  ),
) as Partial<Record<ConfigEnvName, string>>;

const PLACEHOLDER_CERTIFICATE =
  'arn:aws:acm:us-east-1:000000000000:certificate/00000000-0000-0000-0000-000000000000';

/** `npm run infra:synth -- -c certificateArn=…`: the CLI's context flags, for a synth without the CLI. */
function contextArgs(argv: string[]): Record<string, string> {
  const context: Record<string, string> = {};
  argv.forEach((arg, i) => {
    const pair = arg === '-c' || arg === '--context' ? argv[i + 1] : undefined;
    const match = pair?.match(/^([^=]+)=(.*)$/);
    if (match) context[match[1]!] = match[2]!;
  });
  return context;
}

const app = new App({
  outdir: process.env['CDK_OUTDIR'] ?? 'infra/cdk.out',
  context: contextArgs(process.argv.slice(2)),
});
const context = (name: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(name);
  return typeof value === 'string' && value !== '' ? value : undefined;
};
const config = loadConfig(deployEnv);
const natGateways = Number(context('natGateways') ?? 0);
const alarmEmail = context('alarmEmail');
const domainName = context('domainName');

new DocpipeStack(app, context('stackName') ?? 'Docpipe', {
  // Region-bound (the ALB log-delivery account is per region), account from the CLI's credentials.
  env: {
    region: process.env['CDK_DEFAULT_REGION'] ?? config.aws.region,
    ...(process.env['CDK_DEFAULT_ACCOUNT'] ? { account: process.env['CDK_DEFAULT_ACCOUNT'] } : {}),
  },
  certificateArn: context('certificateArn') ?? PLACEHOLDER_CERTIFICATE,
  config,
  environment: deployEnv,
  natGateways,
  ...(deployEnv.WORKER_CONCURRENCY ? { worker: { concurrency: config.worker.concurrency } } : {}),
  ...(alarmEmail ? { alarmEmail } : {}),
  ...(domainName ? { domainName } : {}),
  description: 'docpipe: document-processing pipeline (api + worker on Fargate, S3, SQS, SNS, DynamoDB)',
});
// cdk-nag's AwsSolutions pack runs as a policy-validation plugin: synth fails on an unacknowledged finding.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));

const assembly = app.synth();
if (!process.env['CDK_OUTDIR']) {
  for (const stack of assembly.stacks) {
    const errors = stack.messages.filter((m) => m.level === 'error');
    const warnings = stack.messages.filter((m) => m.level === 'warning');
    for (const m of [...errors, ...warnings]) console.error(`${m.level}: ${m.id}: ${String(m.entry.data)}`);
    console.log(
      `${stack.stackName}: ${stack.templateFullPath} (${errors.length} errors, ${warnings.length} warnings)`,
    );
    if (errors.length > 0) process.exitCode = 1;
  }
}
