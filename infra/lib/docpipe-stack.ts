/**
 * docpipe on real AWS (docs/deploy.md): the resources the bootstrap creates for the emulators
 * (aws/table-definition.ts, names and limits from domain/config.ts), plus the api and the worker as
 * ECS Fargate services built from the project's Dockerfile, an HTTPS load balancer in front of the
 * api, least-privilege task roles, autoscaling and a DLQ alarm.
 */
import { fileURLToPath } from 'node:url';
import {
  Annotations,
  Aws,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  Token,
  Validations,
  type CfnResource,
  type StackProps,
} from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as snsSubscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { loadConfig, type Config, type ConfigEnvName } from '../../domain/config.js';

import {
  DLQ_RETENTION_SECONDS,
  INCOMPLETE_UPLOAD_DAYS,
  TABLE_DEFINITION,
  eventQueuePrefix,
} from '../../aws/table-definition.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ServiceSize {
  /** Fargate CPU units (256 = 0.25 vCPU). */
  cpu: number;
  memoryMiB: number;
  minTasks: number;
  maxTasks: number;
}

export interface DocpipeStackProps extends StackProps {
  /** ACM certificate for the HTTPS listener (same region as the stack). */
  certificateArn: string;
  /**
   * Public host name: the HTTPS listener forwards only requests for it (any other Host header gets
   * 421). Unset: any host name. Checked at the ALB rather than with ALLOWED_HOSTS, whose check would
   * also refuse the ALB's health checks (they carry the task's IP address as Host).
   */
  domainName?: string;
  /** Settings the containers get, parsed by the same schema the code reads. Default: the schema's defaults. */
  config?: Config;
  /** 0 (default): tasks in public subnets with public IPs and no NAT; ≥ 1: private subnets behind NAT gateways. */
  natGateways?: number;
  api?: Partial<ServiceSize>;
  worker?: Partial<ServiceSize> & { concurrency?: number };
  /** Target backlog (visible jobs) per worker task before the worker service scales out. */
  workerBacklogPerTask?: number;
  /** Target live connections (ALB ActiveConnectionCount) per api task. */
  apiConnectionsPerTask?: number;
  /** Who gets the DLQ alarm by e-mail (optional; the alarm topic exists either way). */
  alarmEmail?: string;
  /**
   * Further settings for both containers, e.g. what was set in the deploying shell (validated by
   * the schema). The stack's own values (resource names, NODE_ENV, HOST, PORT…) take precedence.
   */
  environment?: Partial<Record<ConfigEnvName, string>>;
  /** Images; default: built from the repository's Dockerfile (targets `api` and `worker`) at deploy time. */
  images?: { api: ecs.ContainerImage; worker: ecs.ContainerImage };
}

/** An environment block whose names are checked against domain/config.ts at compile time. */
function env(vars: Partial<Record<ConfigEnvName, string>>): Record<string, string> {
  return vars as Record<string, string>;
}

/**
 * As in docker-compose.yml: the root filesystem is read-only and only /tmp is writable (the task's
 * ephemeral storage), so a compromised process cannot rewrite its own code.
 */
function writableTmp(task: ecs.FargateTaskDefinition, container: ecs.ContainerDefinition): void {
  task.addVolume({ name: 'tmp' });
  container.addMountPoints({ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false });
}

/** The ALB closes connections idle this long; well above the graphql-ws keepalive so sockets stay open. */
export function albIdleTimeoutSeconds(config: Config): number {
  return Math.max(60, Math.ceil((config.wsKeepAliveMs * 5) / 1000));
}

export class DocpipeStack extends Stack {
  readonly bucket: s3.Bucket;
  readonly table: dynamodb.Table;
  readonly jobsQueue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly eventsTopic: sns.Topic;
  readonly apiService: ecs.FargateService;
  readonly workerService: ecs.FargateService;
  readonly apiTaskRole: iam.Role;
  readonly workerTaskRole: iam.Role;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;

  constructor(scope: Construct, id: string, props: DocpipeStackProps) {
    super(scope, id, props);
    const config = props.config ?? loadConfig({});
    const names = config.resources;
    const natGateways = props.natGateways ?? 0;
    const apiSize: ServiceSize = { cpu: 512, memoryMiB: 1024, minTasks: 2, maxTasks: 10, ...props.api };
    const workerSize: ServiceSize = {
      cpu: 1024,
      memoryMiB: 3072,
      minTasks: 1,
      maxTasks: 20,
      ...props.worker,
    };
    // Each analysis thread may take PROCESSING_MAX_MEMORY_MB; two fit a 3 GiB task with headroom.
    const workerConcurrency = props.worker?.concurrency ?? 2;
    const workerMemoryNeed = workerConcurrency * config.processing.maxMemoryMb + 1024;
    if (workerMemoryNeed > workerSize.memoryMiB) {
      Annotations.of(this).addWarning(
        `worker: ${workerConcurrency} analysis threads × PROCESSING_MAX_MEMORY_MB ${config.processing.maxMemoryMb} ` +
          `+ 1 GiB for the process exceeds the task's ${workerSize.memoryMiB} MiB`,
      );
    }

    // ---- Storage and messaging (the bootstrap's resources) ---------------------------------------
    const key = new kms.Key(this, 'Key', {
      description: 'docpipe: SNS topics (job events, alarms)',
      enableKeyRotation: true,
    });
    // CloudWatch alarms publish to the encrypted alarm topic.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
      }),
    );

    const logBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED, // ALB access logs accept SSE-S3 only
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [
        { expiration: Duration.days(90), abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket = new s3.Bucket(this, 'Documents', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: logBucket,
      serverAccessLogsPrefix: 's3/',
      lifecycleRules: [
        // Uploads that died mid-stream (api crash, client gone) and direct uploads nobody completed
        // leave parts that are billed; after the longest UPLOAD_EXPIRY_SECONDS, as the bootstrap.
        {
          id: 'abort-incomplete-uploads',
          abortIncompleteMultipartUploadAfter: Duration.days(INCOMPLETE_UPLOAD_DAYS),
        },
        // Deleted documents and superseded derived artefacts stay recoverable for 30 days, then go.
        { id: 'expire-noncurrent', noncurrentVersionExpiration: Duration.days(30) },
        { id: 'expire-delete-markers', expiredObjectDeleteMarker: true },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const attr = (name: string): dynamodb.Attribute => ({ name, type: dynamodb.AttributeType.STRING });
    this.table = new dynamodb.Table(this, 'Table', {
      tableName: names.table,
      partitionKey: attr(TABLE_DEFINITION.key.partitionKey),
      sortKey: attr(TABLE_DEFINITION.key.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TABLE_DEFINITION.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of TABLE_DEFINITION.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: attr(index.partitionKey),
        sortKey: attr(index.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }

    this.deadLetterQueue = new sqs.Queue(this, 'JobsDlq', {
      queueName: names.jobsDlq,
      retentionPeriod: Duration.seconds(DLQ_RETENTION_SECONDS),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.jobsQueue = new sqs.Queue(this, 'JobsQueue', {
      queueName: names.jobsQueue,
      visibilityTimeout: Duration.seconds(config.worker.visibilityTimeoutSeconds),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: names.maxReceiveCount },
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });

    this.eventsTopic = new sns.Topic(this, 'EventsTopic', {
      topicName: names.eventsTopic,
      masterKey: key,
      enforceSSL: true,
    });

    const alarmTopic = new sns.Topic(this, 'AlarmTopic', { masterKey: key, enforceSSL: true });
    if (props.alarmEmail)
      alarmTopic.addSubscription(new snsSubscriptions.EmailSubscription(props.alarmEmail));
    const dlqAlarm = new cloudwatch.Alarm(this, 'DlqNotEmpty', {
      alarmDescription: `Jobs failed ${names.maxReceiveCount} times and wait in ${names.jobsDlq} (npm run dlq)`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    dlqAlarm.addAlarmAction(new cwActions.SnsAction(alarmTopic));

    const authSecret = new secretsmanager.Secret(this, 'AuthSecret', {
      description: 'docpipe AUTH_SECRET: HS256 key that signs and verifies api tokens',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });

    // ---- Network --------------------------------------------------------------------------------
    const taskSubnetType = natGateways > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PUBLIC;
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        ...(natGateways > 0 ? [{ name: 'tasks', subnetType: taskSubnetType, cidrMask: 22 }] : []),
      ],
      gatewayEndpoints: {
        // Free, and keeps S3/DynamoDB traffic off the NAT gateway and the internet.
        s3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        dynamodb: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
    });
    vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(
        new logs.LogGroup(this, 'FlowLogs', { retention: logs.RetentionDays.ONE_MONTH }),
      ),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });

    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });

    // ---- Images, environment --------------------------------------------------------------------
    const images = props.images ?? {
      api: ecs.ContainerImage.fromAsset(REPO_ROOT, { target: 'api', exclude: ASSET_EXCLUDES }),
      worker: ecs.ContainerImage.fromAsset(REPO_ROOT, { target: 'worker', exclude: ASSET_EXCLUDES }),
    };
    const common = env({
      ...props.environment,
      NODE_ENV: 'production',
      LOG_LEVEL: config.logLevel,
      AWS_REGION: Aws.REGION,
      // The stack owns every resource: the processes only look them up.
      DOCPIPE_BOOTSTRAP: 'false',
      DOCPIPE_BUCKET: this.bucket.bucketName,
      DOCPIPE_TABLE: names.table,
      DOCPIPE_JOBS_QUEUE: names.jobsQueue,
      DOCPIPE_JOBS_DLQ: names.jobsDlq,
      DOCPIPE_EVENTS_TOPIC: names.eventsTopic,
      DOCPIPE_MAX_RECEIVE_COUNT: String(names.maxReceiveCount),
      JOB_VISIBILITY_TIMEOUT: String(config.worker.visibilityTimeoutSeconds),
      MAX_UPLOAD_BYTES: String(config.limits.maxUploadBytes),
    });

    // ---- api ------------------------------------------------------------------------------------
    this.apiTaskRole = new iam.Role(this, 'ApiTaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'docpipe api: uploads, reads, deletes; enqueues jobs; its own event queue',
    });
    const apiTask = new ecs.FargateTaskDefinition(this, 'ApiTask', {
      cpu: apiSize.cpu,
      memoryLimitMiB: apiSize.memoryMiB,
      taskRole: this.apiTaskRole,
      // Uploads are spooled to /tmp while they stream to S3 (graphql-upload-ts).
      ephemeralStorageGiB: 30,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64 },
    });
    const port = config.http.port;
    const apiContainer = apiTask.addContainer('api', {
      image: images.api,
      logging: ecs.LogDrivers.awsLogs({
        streamPrefix: 'api',
        logGroup: new logs.LogGroup(this, 'ApiLogs', { retention: logs.RetentionDays.ONE_MONTH }),
      }),
      environment: {
        ...common,
        ...env({
          HOST: '0.0.0.0',
          PORT: String(port),
          // Many replicas: each owner's request budget is counted in the table, not per process.
          RATE_LIMIT_STORE: 'dynamodb',
          WS_KEEPALIVE_MS: String(config.wsKeepAliveMs),
          EVENT_QUEUE_STALE_SECONDS: String(config.events.staleQueueSeconds),
          // Each task's search index on its own ephemeral storage: a new task builds it from the
          // table and S3 (docs/architecture.md, "Search").
          SEARCH_INDEX_PATH: '/tmp/search-index.sqlite',
        }),
      },
      secrets: { AUTH_SECRET: ecs.Secret.fromSecretsManager(authSecret) },
      portMappings: [{ containerPort: port }],
      readonlyRootFilesystem: true,
      stopTimeout: Duration.seconds(30),
    });
    writableTmp(apiTask, apiContainer);

    const albSg = new ec2.SecurityGroup(this, 'AlbSg', {
      vpc,
      description: 'docpipe ALB: HTTPS from anywhere',
    });
    albSg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS');
    albSg.addIngressRule(ec2.Peer.anyIpv6(), ec2.Port.tcp(443), 'HTTPS');
    const apiSg = new ec2.SecurityGroup(this, 'ApiSg', {
      vpc,
      description: 'docpipe api tasks: from the ALB only',
    });
    apiSg.addIngressRule(albSg, ec2.Port.tcp(port), 'ALB to api');

    this.apiService = new ecs.FargateService(this, 'ApiService', {
      cluster,
      taskDefinition: apiTask,
      desiredCount: apiSize.minTasks,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { rollback: true },
      securityGroups: [apiSg],
      vpcSubnets: { subnetType: taskSubnetType },
      assignPublicIp: natGateways === 0,
      healthCheckGracePeriod: Duration.seconds(60),
    });

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc,
      internetFacing: true,
      securityGroup: albSg,
      idleTimeout: Duration.seconds(albIdleTimeoutSeconds(config)),
      dropInvalidHeaderFields: true,
      http2Enabled: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
    });
    this.loadBalancer.logAccessLogs(logBucket, 'alb');
    // Direct uploads: browsers on the web page's origin PUT parts to presigned S3 URLs and read
    // each answer's ETag. Only PUT, only from the page's origin(s); presigned URLs stay the access
    // control (the bucket is private).
    this.bucket.addCorsRule({
      allowedMethods: [s3.HttpMethods.PUT],
      allowedOrigins: [
        `https://${props.domainName ?? this.loadBalancer.loadBalancerDnsName}`,
        ...config.web.allowedOrigins,
      ],
      allowedHeaders: ['content-type'],
      exposedHeaders: ['ETag'],
      maxAge: 3600,
    });
    if (props.certificateArn.includes('000000000000')) {
      Annotations.of(this).addWarning(
        'No certificate given: synthesised with a placeholder. Deploy with -c certificateArn=arn:aws:acm:…',
      );
    }
    const https = this.loadBalancer.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [elbv2.ListenerCertificate.fromArn(props.certificateArn)],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      open: false,
    });
    if (props.domainName) {
      https.addAction('OtherHosts', {
        action: elbv2.ListenerAction.fixedResponse(421, {
          contentType: 'text/plain',
          messageBody: 'This host name is not served here',
        }),
      });
    }
    const apiTargets = https.addTargets('Api', {
      ...(props.domainName
        ? { priority: 10, conditions: [elbv2.ListenerCondition.hostHeaders([props.domainName])] }
        : {}),
      port,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [this.apiService],
      deregistrationDelay: Duration.seconds(30),
      healthCheck: {
        path: '/readyz',
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
    });

    // ---- worker ---------------------------------------------------------------------------------
    this.workerTaskRole = new iam.Role(this, 'WorkerTaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description:
        'docpipe worker: reads originals, writes derived artefacts, consumes jobs, publishes events',
    });
    const workerTask = new ecs.FargateTaskDefinition(this, 'WorkerTask', {
      cpu: workerSize.cpu,
      memoryLimitMiB: workerSize.memoryMiB,
      taskRole: this.workerTaskRole,
      // Each job downloads its original (≤ MAX_UPLOAD_BYTES) to /tmp.
      ephemeralStorageGiB: 30,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64 },
    });
    const workerContainer = workerTask.addContainer('worker', {
      image: images.worker,
      logging: ecs.LogDrivers.awsLogs({
        streamPrefix: 'worker',
        logGroup: new logs.LogGroup(this, 'WorkerLogs', { retention: logs.RetentionDays.ONE_MONTH }),
      }),
      environment: {
        ...common,
        ...env({
          WORKER_CONCURRENCY: String(workerConcurrency),
          WORKER_DRAIN_SECONDS: String(config.worker.drainSeconds),
          PROCESSING_MAX_MEMORY_MB: String(config.processing.maxMemoryMb),
        }),
      },
      readonlyRootFilesystem: true,
      // SIGTERM drains in-flight jobs; ECS allows at most 120 s before SIGKILL.
      stopTimeout: Duration.seconds(Math.min(120, config.worker.drainSeconds + 10)),
    });
    writableTmp(workerTask, workerContainer);
    const workerSg = new ec2.SecurityGroup(this, 'WorkerSg', {
      vpc,
      description: 'docpipe workers: no inbound traffic',
    });
    this.workerService = new ecs.FargateService(this, 'WorkerService', {
      cluster,
      taskDefinition: workerTask,
      desiredCount: workerSize.minTasks,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { rollback: true },
      securityGroups: [workerSg],
      vpcSubnets: { subnetType: taskSubnetType },
      assignPublicIp: natGateways === 0,
    });

    // ---- Least-privilege IAM ----------------------------------------------------------------------
    const policies = this.grantPermissions(key, names.eventsTopic);

    // ---- Autoscaling ------------------------------------------------------------------------------
    const runningTasks = (
      service: ecs.FargateService,
    ): appscaling.CfnScalingPolicy.TargetTrackingMetricDataQueryProperty => ({
      id: 'running',
      returnData: false,
      metricStat: {
        metric: {
          namespace: 'ECS/ContainerInsights',
          metricName: 'RunningTaskCount',
          dimensions: [
            { name: 'ClusterName', value: cluster.clusterName },
            { name: 'ServiceName', value: service.serviceName },
          ],
        },
        stat: 'Average',
      },
    });

    // Application Auto Scaling's service-linked role for ECS (what Service.autoScaleTaskCount uses);
    // one ScalableTarget per service carries both of the api's policies.
    const scalingRole = iam.Role.fromRoleArn(
      this,
      'EcsScalingRole',
      this.formatArn({
        region: '',
        service: 'iam',
        resource: 'role/aws-service-role/ecs.application-autoscaling.amazonaws.com',
        resourceName: 'AWSServiceRoleForApplicationAutoScaling_ECSService',
      }),
    );
    const workerScaling = new appscaling.ScalableTarget(this, 'WorkerScaling', {
      serviceNamespace: appscaling.ServiceNamespace.ECS,
      scalableDimension: 'ecs:service:DesiredCount',
      resourceId: `service/${cluster.clusterName}/${this.workerService.serviceName}`,
      role: scalingRole,
      minCapacity: workerSize.minTasks,
      maxCapacity: workerSize.maxTasks,
    });
    // Backlog per task = visible jobs / running workers (AWS's recommended SQS metric).
    new appscaling.CfnScalingPolicy(this, 'WorkerBacklogPerTask', {
      policyName: 'worker-backlog-per-task',
      policyType: 'TargetTrackingScaling',
      scalingTargetId: workerScaling.scalableTargetId,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: props.workerBacklogPerTask ?? workerConcurrency * 4,
        scaleInCooldown: 300,
        scaleOutCooldown: 60,
        customizedMetricSpecification: {
          metrics: [
            {
              id: 'visible',
              returnData: false,
              metricStat: {
                metric: {
                  namespace: 'AWS/SQS',
                  metricName: 'ApproximateNumberOfMessagesVisible',
                  dimensions: [{ name: 'QueueName', value: this.jobsQueue.queueName }],
                },
                stat: 'Average',
              },
            },
            runningTasks(this.workerService),
            {
              id: 'backlogPerTask',
              expression: 'visible / running',
              label: 'jobs per worker task',
              returnData: true,
            },
          ],
        },
      },
    });

    const apiScaling = new appscaling.ScalableTarget(this, 'ApiScaling', {
      serviceNamespace: appscaling.ServiceNamespace.ECS,
      scalableDimension: 'ecs:service:DesiredCount',
      resourceId: `service/${cluster.clusterName}/${this.apiService.serviceName}`,
      role: scalingRole,
      minCapacity: apiSize.minTasks,
      maxCapacity: apiSize.maxTasks,
    });
    apiScaling.scaleToTrackMetric('Cpu', {
      predefinedMetric: appscaling.PredefinedMetric.ECS_SERVICE_AVERAGE_CPU_UTILIZATION,
      targetValue: 60,
    });
    // Live connections (mostly graphql-ws sockets) per api task.
    new appscaling.CfnScalingPolicy(this, 'ApiConnectionsPerTask', {
      policyName: 'api-connections-per-task',
      policyType: 'TargetTrackingScaling',
      scalingTargetId: apiScaling.scalableTargetId,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: props.apiConnectionsPerTask ?? 1000,
        scaleInCooldown: 300,
        scaleOutCooldown: 60,
        customizedMetricSpecification: {
          metrics: [
            {
              id: 'connections',
              returnData: false,
              metricStat: {
                metric: {
                  namespace: 'AWS/ApplicationELB',
                  metricName: 'ActiveConnectionCount',
                  dimensions: [{ name: 'LoadBalancer', value: this.loadBalancer.loadBalancerFullName }],
                },
                // ActiveConnectionCount is a per-minute sum of concurrent connections.
                stat: 'Sum',
              },
            },
            runningTasks(this.apiService),
            {
              id: 'connectionsPerTask',
              expression: 'connections / running',
              label: 'connections per api task',
              returnData: true,
            },
          ],
        },
      },
    });

    new CfnOutput(this, 'Url', {
      value: `https://${props.domainName ?? this.loadBalancer.loadBalancerDnsName}`,
    });
    new CfnOutput(this, 'LoadBalancerDns', { value: this.loadBalancer.loadBalancerDnsName });
    new CfnOutput(this, 'BucketName', { value: this.bucket.bucketName });
    new CfnOutput(this, 'AuthSecretArn', { value: authSecret.secretArn });
    new CfnOutput(this, 'TargetGroup', { value: apiTargets.targetGroupFullName });

    this.suppressNagFindings({
      tasks: [apiTask, workerTask],
      authSecret,
      albSg,
      policies,
      eventsTopicName: names.eventsTopic,
    });
  }

  private grantPermissions(key: kms.Key, eventsTopicName: string): { api: iam.Policy; worker: iam.Policy } {
    const { bucket, table, jobsQueue, deadLetterQueue, eventsTopic } = this;
    const objects = (prefix: string) => bucket.arnForObjects(`${prefix}*`);
    const tableAndIndexes = [
      table.tableArn,
      ...TABLE_DEFINITION.globalSecondaryIndexes.map((i) => `${table.tableArn}/index/${i.indexName}`),
    ];
    const itemActions = [
      'dynamodb:GetItem',
      'dynamodb:BatchGetItem',
      'dynamodb:Query',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:DescribeTable',
    ];
    const eventQueues = Stack.of(this).formatArn({
      service: 'sqs',
      resource: `${eventQueuePrefix(eventsTopicName)}-*`,
    });
    const allow = (actions: string[], resources: string[], sid: string) =>
      new iam.PolicyStatement({ sid, effect: iam.Effect.ALLOW, actions, resources });

    const api: iam.PolicyStatement[] = [
      // HeadBucket (readiness, start-up) and listing a deleted document's derived/ prefix.
      allow(['s3:ListBucket'], [bucket.bucketArn], 'Bucket'),
      // Streamed uploads, and direct ones: CreateMultipartUpload, the parts' presigned UploadPart
      // (signed with this role), ListParts to verify them, Complete/Abort, the expired-upload sweep.
      allow(
        ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        [objects('originals/')],
        'Uploads',
      ),
      allow(['s3:GetObject', 's3:DeleteObject'], [objects('originals/'), objects('derived/')], 'ReadDelete'),
      allow(itemActions, tableAndIndexes, 'Table'),
      // The search index's catch-up on start (server/search/search-indexer.ts): the table only.
      allow(['dynamodb:Scan'], [table.tableArn], 'SearchCatchUp'),
      allow(
        ['sqs:SendMessage', 'sqs:GetQueueUrl', 'sqs:GetQueueAttributes'],
        [jobsQueue.queueArn],
        'EnqueueJobs',
      ),
      allow(['sqs:GetQueueUrl'], [deadLetterQueue.queueArn], 'ResolveDlq'),
      // Its own event queue (aws/job-events.ts): created at start, deleted at stop; stale ones of
      // crashed replicas are removed by the survivors. Only queues with this name prefix.
      allow(
        [
          'sqs:CreateQueue',
          'sqs:DeleteQueue',
          'sqs:GetQueueAttributes',
          'sqs:SetQueueAttributes',
          'sqs:TagQueue',
          'sqs:ListQueueTags',
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
          'sqs:ChangeMessageVisibility',
        ],
        [eventQueues],
        'OwnEventQueue',
      ),
      // ListQueues, ListSubscriptions and Unsubscribe support no resource-level permissions.
      allow(['sqs:ListQueues', 'sns:ListSubscriptions', 'sns:Unsubscribe'], ['*'], 'ListAndUnsubscribe'),
      // CreateTopic is how the code resolves the topic ARN (idempotent; the topic exists).
      allow(['sns:Subscribe', 'sns:Publish', 'sns:CreateTopic'], [eventsTopic.topicArn], 'Events'),
      allow(['kms:GenerateDataKey', 'kms:Decrypt'], [key.keyArn], 'EncryptedTopic'),
    ];
    const worker: iam.PolicyStatement[] = [
      allow(['s3:ListBucket'], [bucket.bucketArn], 'Bucket'),
      allow(['s3:GetObject'], [objects('originals/'), objects('derived/')], 'Read'),
      allow(['s3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'], [objects('derived/')], 'Derived'),
      allow(itemActions, tableAndIndexes, 'Table'),
      allow(
        [
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
          'sqs:ChangeMessageVisibility',
          'sqs:SendMessage',
          'sqs:GetQueueUrl',
        ],
        [jobsQueue.queueArn],
        'ConsumeJobs',
      ),
      // Moves poison messages to the DLQ itself (JobQueue.moveToDlq).
      allow(['sqs:SendMessage', 'sqs:GetQueueUrl'], [deadLetterQueue.queueArn], 'DeadLetters'),
      allow(['sns:Publish', 'sns:CreateTopic'], [eventsTopic.topicArn], 'Events'),
      allow(['kms:GenerateDataKey', 'kms:Decrypt'], [key.keyArn], 'EncryptedTopic'),
    ];
    return {
      api: new iam.Policy(this, 'ApiPolicy', { statements: api, roles: [this.apiTaskRole] }),
      worker: new iam.Policy(this, 'WorkerPolicy', { statements: worker, roles: [this.workerTaskRole] }),
    };
  }

  /**
   * Every accepted cdk-nag (AwsSolutions) finding, each with its reason; tests/infra checks that
   * nothing else is reported. cdk-nag 3 reads CDK's own acknowledgements (Validations.of).
   */
  private suppressNagFindings(args: {
    tasks: ecs.FargateTaskDefinition[];
    authSecret: secretsmanager.Secret;
    albSg: ec2.SecurityGroup;
    policies: { api: iam.Policy; worker: iam.Policy };
    eventsTopicName: string;
  }): void {
    const { tasks, authSecret, albSg, policies, eventsTopicName } = args;
    const ack = (scope: IConstruct, id: string, reason: string) =>
      Validations.of(scope).acknowledge({ id: `AwsSolutions-${id}`, reason });
    const arnOf = (construct: IConstruct) =>
      `<${this.getLogicalId(construct.node.defaultChild as CfnResource)}.Arn>`;

    ack(
      authSecret,
      'SMG4',
      'Rotating the HS256 signing secret invalidates every issued token; it is rotated by hand (docs/deploy.md).',
    );
    ack(albSg, 'EC23', 'The public HTTPS entry point: 443 is open to the internet by design.');
    for (const task of tasks) {
      ack(
        task,
        'ECS2',
        'Only non-secret settings (resource names, limits) are plain environment variables; AUTH_SECRET comes from Secrets Manager.',
      );
      ack(
        task,
        'IAM5[Resource::*]',
        'The execution role CDK makes needs ecr:GetAuthorizationToken, which supports no resource-level permission.',
      );
    }
    const objects = 'Object keys are per document: access is limited to one prefix of the one bucket.';
    for (const policy of [policies.api, policies.worker]) {
      for (const prefix of ['originals', 'derived']) {
        ack(policy, `IAM5[Resource::${arnOf(this.bucket)}/${prefix}/*]`, objects);
      }
    }
    const region = Token.isUnresolved(this.region) ? '<AWS::Region>' : this.region;
    ack(
      policies.api,
      `IAM5[Resource::arn:<AWS::Partition>:sqs:${region}:<AWS::AccountId>:${eventQueuePrefix(eventsTopicName)}-*]`,
      'Each api replica creates and deletes its own event queue (random suffix); rights are limited to that name prefix.',
    );
    ack(
      policies.api,
      'IAM5[Resource::*]',
      'sqs:ListQueues, sns:ListSubscriptions and sns:Unsubscribe support no resource-level permissions (stale event-queue cleanup).',
    );
  }
}

/** Not part of the image's build context (the Dockerfile copies only what it names). */
const ASSET_EXCLUDES = [
  'node_modules',
  '.git',
  '.data',
  'dist',
  'infra',
  'cdk.json',
  'tests',
  'bench',
  'bench-results',
  'test-artifacts',
  'client',
  'docs',
  '*.log',
  '.env',
];
