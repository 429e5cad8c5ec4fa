import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../domain/config.js';

describe('loadConfig', () => {
  it('has working defaults for the embedded stack', () => {
    const config = loadConfig({});
    expect(config.http).toEqual({ host: '127.0.0.1', port: 4000 });
    expect(config.aws.endpoints).toEqual({});
    expect(config.aws.credentials).toBeUndefined(); // real AWS: default provider chain
    expect(config.limits.maxUploadBytes).toBe(100 * 1024 * 1024);
  });

  it('uses one endpoint for every service unless a per-service one is given', () => {
    const config = loadConfig({
      AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:4567',
    });
    expect(config.aws.endpoints).toEqual({
      s3: 'http://127.0.0.1:4566',
      sqs: 'http://127.0.0.1:4566',
      sns: 'http://127.0.0.1:4566',
      dynamodb: 'http://127.0.0.1:4567',
    });
    expect(config.aws.credentials).toEqual({ accessKeyId: 'test', secretAccessKey: 'test' });
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: '99999',
        WORKER_CONCURRENCY: 'lots',
        AWS_ENDPOINT_URL: 'not a url',
        DOCPIPE_BOOTSTRAP: 'maybe',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'WORKER_CONCURRENCY', 'AWS_ENDPOINT_URL', 'DOCPIPE_BOOTSTRAP']) {
      expect(problems).toContain(name);
    }
    expect(problems).toContain('(got "lots")');
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ PORT: '', AWS_ENDPOINT_URL: '' }).http.port).toBe(4000);
  });
});
