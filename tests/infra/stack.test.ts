/**
 * The CDK app (infra/) synthesises offline and declares what the code needs: the bootstrap's
 * resources with the same shapes (aws/table-definition.ts) and names (domain/config.ts), the two
 * Fargate services, least-privilege roles, autoscaling, and no unacknowledged cdk-nag finding.
 */
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import cdkNag from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_ENV_NAMES, loadConfig } from '../../domain/config.js';
import { TABLE_DEFINITION, keyAttributes } from '../../aws/table-definition.js';
import { DocpipeStack, albIdleTimeoutSeconds } from '../../infra/lib/docpipe-stack.js';

const { AwsSolutionsChecks } = cdkNag;

const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const config = loadConfig({});

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Sid?: string };
type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

let app: App;
let stack: DocpipeStack;
let template: Template;
let resources: Resources;

beforeAll(() => {
  app = new App({ outdir: undefined });
  stack = new DocpipeStack(app, 'Test', {
    env: { region: 'us-east-1' },
    certificateArn: CERTIFICATE,
    domainName: 'docpipe.example.com',
    config,
    // Registry images: the Dockerfile asset is fingerprinted at synth (slow), built only at deploy.
    images: {
      api: ecs.ContainerImage.fromRegistry('docpipe-api:test'),
      worker: ecs.ContainerImage.fromRegistry('docpipe-worker:test'),
    },
  });
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Resources;
});

function ofType(type: string): [string, Resources[string]][] {
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}

function actions(s: Statement): string[] {
  return Array.isArray(s.Action) ? s.Action : [s.Action];
}

/** The statements of the inline policy attached to the role whose logical id starts with `rolePrefix`. */
function statementsOf(rolePrefix: string): Statement[] {
  const roleId = Object.keys(resources).find((id) => id.startsWith(rolePrefix))!;
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties['Roles'] as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties['PolicyDocument'].Statement as Statement[]);
}

function allowed(statements: Statement[]): Set<string> {
  return new Set(statements.filter((s) => s.Effect === 'Allow').flatMap(actions));
}

describe('infra: data and messaging', () => {
  it('declares the table exactly as the bootstrap creates it', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: config.resources.table,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: TABLE_DEFINITION.key.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_DEFINITION.key.sortKey, KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: TABLE_DEFINITION.ttlAttribute, Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    const [[, table]] = ofType('AWS::DynamoDB::Table') as [[string, Resources[string]]];
    const defined = (table.Properties['AttributeDefinitions'] as { AttributeName: string }[]).map(
      (a) => a.AttributeName,
    );
    expect(defined.sort()).toEqual(keyAttributes().sort());
    const indexes = table.Properties['GlobalSecondaryIndexes'] as any[];
    expect(indexes.map((i) => i.IndexName).sort()).toEqual(
      TABLE_DEFINITION.globalSecondaryIndexes.map((i) => i.indexName).sort(),
    );
    for (const def of TABLE_DEFINITION.globalSecondaryIndexes) {
      expect(indexes.find((i) => i.IndexName === def.indexName)).toMatchObject({
        KeySchema: [
          { AttributeName: def.partitionKey, KeyType: 'HASH' },
          { AttributeName: def.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      });
    }
  });

  it('has the jobs queue redrive to the DLQ after maxReceiveCount, and an alarm on DLQ depth', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: config.resources.jobsQueue,
      VisibilityTimeout: config.worker.visibilityTimeoutSeconds,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^JobsDlq'), 'Arn'] },
        maxReceiveCount: config.resources.maxReceiveCount,
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: config.resources.jobsDlq,
      MessageRetentionPeriod: 1_209_600,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^JobsDlq'), 'QueueName'] } },
      ],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: Match.anyValue(),
    });
  });

  it('has an encrypted, private, SSL-only bucket with lifecycle rules', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: Match.objectLike({
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      }),
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 } }),
          Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } }),
        ]),
      },
    });
    // Direct uploads from the web page: PUT from its origin only, with the ETag readable.
    template.hasResourceProperties('AWS::S3::Bucket', {
      CorsConfiguration: {
        CorsRules: [
          Match.objectLike({
            AllowedMethods: ['PUT'],
            AllowedOrigins: [Match.anyValue()],
            ExposedHeaders: ['ETag'],
          }),
        ],
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('has the events topic, encrypted', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: config.resources.eventsTopic,
      KmsMasterKeyId: Match.anyValue(),
    });
  });
});

describe('infra: services', () => {
  it('runs the api behind an HTTPS load balancer that outlasts the graphql-ws keepalive', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: CERTIFICATE }],
    });
    expect(ofType('AWS::ElasticLoadBalancingV2::Listener')).toHaveLength(1);
    const idle = albIdleTimeoutSeconds(config);
    expect(idle).toBeGreaterThan(config.wsKeepAliveMs / 1000);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'idle_timeout.timeout_seconds', Value: String(idle) }]),
    });
    // Only the configured host name reaches the api; the rest gets 421 from the ALB. Not through
    // ALLOWED_HOSTS: the api would refuse the health checks, which carry the task's address as Host.
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['docpipe.example.com'] } }],
      Actions: [Match.objectLike({ Type: 'forward' })],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      DefaultActions: [
        Match.objectLike({
          Type: 'fixed-response',
          FixedResponseConfig: Match.objectLike({ StatusCode: '421' }),
        }),
      ],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/readyz',
      Port: config.http.port,
      TargetType: 'ip',
    });
  });

  it('has two Fargate services; only the api has a load balancer', () => {
    const services = ofType('AWS::ECS::Service');
    expect(services).toHaveLength(2);
    const withLb = services.filter(([, s]) => s.Properties['LoadBalancers']);
    expect(withLb.map(([id]) => id)).toEqual([expect.stringMatching(/^ApiService/)]);
    for (const [, s] of services) expect(s.Properties['LaunchType']).toBe('FARGATE');
  });

  it('configures the containers only with variables the code reads, resources owned by the stack', () => {
    const tasks = ofType('AWS::ECS::TaskDefinition');
    expect(tasks).toHaveLength(2);
    for (const [, task] of tasks) {
      const [container] = task.Properties['ContainerDefinitions'] as any[];
      const vars = [...(container.Environment ?? []), ...(container.Secrets ?? [])].map((e: any) => e.Name);
      for (const name of vars) expect(CONFIG_ENV_NAMES).toContain(name);
      expect(vars).not.toContain('ALLOWED_HOSTS');
      expect(container.Environment).toContainEqual({ Name: 'DOCPIPE_BOOTSTRAP', Value: 'false' });
      expect(container.Environment).toContainEqual({ Name: 'NODE_ENV', Value: 'production' });
      expect(container.ReadonlyRootFilesystem).toBe(true);
      expect(container.MountPoints).toEqual([
        { ContainerPath: '/tmp', SourceVolume: 'tmp', ReadOnly: false },
      ]);
    }
    const api = tasks.find(([id]) => id.startsWith('ApiTask'))![1];
    const [apiContainer] = api.Properties['ContainerDefinitions'] as any[];
    expect(apiContainer.Secrets.map((s: any) => s.Name)).toEqual(['AUTH_SECRET']);
    expect(apiContainer.Environment).toContainEqual({ Name: 'RATE_LIMIT_STORE', Value: 'dynamodb' });
  });

  it('scales the worker on backlog per task and the api on CPU and connections per task', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        CustomizedMetricSpecification: {
          Metrics: Match.arrayWith([
            Match.objectLike({
              Id: 'visible',
              MetricStat: Match.objectLike({
                Metric: Match.objectLike({ MetricName: 'ApproximateNumberOfMessagesVisible' }),
              }),
            }),
            Match.objectLike({ Expression: 'visible / running', ReturnData: true }),
          ]),
        },
      },
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
      }),
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        CustomizedMetricSpecification: {
          Metrics: Match.arrayWith([
            Match.objectLike({
              MetricStat: Match.objectLike({
                Metric: Match.objectLike({ MetricName: 'ActiveConnectionCount' }),
              }),
            }),
            Match.objectLike({ Expression: 'connections / running' }),
          ]),
        },
      }),
    });
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 2);
    for (const [, target] of ofType('AWS::ApplicationAutoScaling::ScalableTarget')) {
      expect(JSON.stringify(target.Properties['RoleARN'])).toContain(
        'AWSServiceRoleForApplicationAutoScaling_ECSService',
      );
    }
  });
});

describe('infra: least privilege', () => {
  it('grants no wildcard action anywhere in IAM', () => {
    const docs = [
      ...ofType('AWS::IAM::Policy').map(([, p]) => p.Properties['PolicyDocument']),
      ...ofType('AWS::IAM::Role').flatMap(([, r]) =>
        ((r.Properties['Policies'] as any[]) ?? []).map((p) => p.PolicyDocument),
      ),
    ];
    const all = docs.flatMap((d) => d.Statement as Statement[]).flatMap(actions);
    expect(all.length).toBeGreaterThan(20);
    expect(all.filter((a) => a.includes('*'))).toEqual([]);
  });

  it('lets the api delete only its own event queues, never the jobs queue or the DLQ', () => {
    const api = statementsOf('ApiTaskRole');
    const grants = allowed(api);
    for (const a of [
      's3:PutObject',
      's3:GetObject',
      's3:DeleteObject',
      'sqs:SendMessage',
      'dynamodb:Query',
    ]) {
      expect(grants).toContain(a);
    }
    for (const a of [
      'sqs:PurgeQueue',
      'sqs:SetQueueAttributes:jobs',
      'dynamodb:DeleteTable',
      's3:DeleteBucket',
    ]) {
      expect(grants).not.toContain(a);
    }
    // Scan (the search index's catch-up) on the table itself only, and for the api only.
    const scanning = api.filter((s) => actions(s).includes('dynamodb:Scan'));
    expect(scanning).toHaveLength(1);
    expect(JSON.stringify(scanning[0]!.Resource)).not.toContain('/index/');
    expect(allowed(statementsOf('WorkerTaskRole'))).not.toContain('dynamodb:Scan');
    const deleting = api.filter((s) => actions(s).includes('sqs:DeleteQueue'));
    expect(deleting).toHaveLength(1);
    expect(JSON.stringify(deleting[0]!.Resource)).toMatch(/:docpipe-job-events-api-\*"/);
    expect(JSON.stringify(deleting[0]!.Resource)).not.toMatch(/JobsQueue|JobsDlq/);
    // The jobs queue: send only (and look-ups), never receive or delete its messages.
    const onJobs = api.filter((s) => JSON.stringify(s.Resource).includes('JobsQueue'));
    expect(new Set(onJobs.flatMap(actions))).toEqual(
      new Set(['sqs:SendMessage', 'sqs:GetQueueUrl', 'sqs:GetQueueAttributes']),
    );
  });

  it('gives the worker only what it uses', () => {
    const worker = statementsOf('WorkerTaskRole');
    const grants = allowed(worker);
    for (const a of [
      'sqs:ReceiveMessage',
      'sqs:DeleteMessage',
      'sqs:ChangeMessageVisibility',
      'sns:Publish',
    ]) {
      expect(grants).toContain(a);
    }
    for (const a of [
      'sqs:CreateQueue',
      'sqs:DeleteQueue',
      'sqs:PurgeQueue',
      'sqs:ListQueues',
      'sns:Subscribe',
      'sns:Unsubscribe',
      'secretsmanager:GetSecretValue',
    ]) {
      expect(grants).not.toContain(a);
    }
    // The jobs queue: consume, requeue (retries, stuck jobs) and look it up; nothing else.
    const onJobs = worker.filter((s) => JSON.stringify(s.Resource).includes('JobsQueue'));
    expect(new Set(onJobs.flatMap(actions))).toEqual(
      new Set([
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:ChangeMessageVisibility',
        'sqs:SendMessage',
        'sqs:GetQueueUrl',
      ]),
    );
    // Writes and deletes only derived artefacts; originals are read-only to it.
    const writing = worker.filter((s) =>
      actions(s).some((a) => a === 's3:PutObject' || a === 's3:DeleteObject'),
    );
    expect(JSON.stringify(writing.map((s) => s.Resource))).not.toMatch(/originals/);
    expect(worker.some((s) => JSON.stringify(s.Resource) === '"*"')).toBe(false);
  });
});

describe('infra: cdk-nag (AwsSolutions)', () => {
  it('reports no unacknowledged error, and every acknowledgement has a reason', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    const errors = report.violations.filter((v) => v.severity === 'error');
    expect(
      errors.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
    ).toEqual([]);

    const acknowledged: { id: string; reason: unknown }[] = [];
    const walk = (node: IConstruct) => {
      for (const entry of node.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, value] of Object.entries(entry.data as Record<string, unknown>)) {
          acknowledged.push({ id, reason: typeof value === 'string' ? value : (value as any)?.reason });
        }
      }
      node.node.children.forEach(walk);
    };
    walk(app);
    expect(acknowledged.length).toBeGreaterThan(5);
    for (const { id, reason } of acknowledged) {
      expect(typeof reason, id).toBe('string');
      expect((reason as string).length, id).toBeGreaterThan(30);
    }
  });
});

describe('infra: settings come from the configuration schema', () => {
  it('follows changed limits and passes schema variables to the containers', () => {
    const custom = loadConfig({
      DOCPIPE_MAX_RECEIVE_COUNT: '3',
      JOB_VISIBILITY_TIMEOUT: '120',
      WS_KEEPALIVE_MS: '30000',
    });
    const other = new DocpipeStack(new App(), 'Custom', {
      env: { region: 'us-east-1' },
      certificateArn: CERTIFICATE,
      config: custom,
      environment: { RATE_LIMIT_REQUESTS: '99' },
      natGateways: 1,
      images: {
        api: ecs.ContainerImage.fromRegistry('docpipe-api:test'),
        worker: ecs.ContainerImage.fromRegistry('docpipe-worker:test'),
      },
    });
    const t = Template.fromStack(other);
    t.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: custom.resources.jobsQueue,
      VisibilityTimeout: 120,
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 3 }),
    });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'idle_timeout.timeout_seconds', Value: '150' }]),
    });
    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({ Environment: Match.arrayWith([{ Name: 'RATE_LIMIT_REQUESTS', Value: '99' }]) }),
      ],
    });
    // Behind a NAT gateway the tasks get no public IP.
    t.resourceCountIs('AWS::EC2::NatGateway', 1);
    t.allResourcesProperties('AWS::ECS::Service', {
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
    });
  });
});
