import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { CONFIG_ENV_NAMES, ConfigError, loadConfig } from '../../domain/config.js';

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

describe('.env.example', () => {
  it('lists every variable the config schema reads', () => {
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const listed = new Set([...example.matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect(CONFIG_ENV_NAMES.filter((name) => !listed.has(name))).toEqual([]);
    expect([...listed].filter((name) => !CONFIG_ENV_NAMES.includes(name!))).toEqual([]);
  });
});
