import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eda } from './cli-fixture';
import { main } from '../../src/cli/main';

function credentialsProviderError(): Error {
  return Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
}

describe('eda', () => {
  test('prints the usage and exits 2 without a command', async () => {
    const result = await eda([]);

    expect(result.code).toBe(2);
    expect(result.stdout).toContain('usage: eda <command> [options]');
  });

  test('prints the usage and exits 0 with --help', async () => {
    const result = await eda(['--help']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('doctor');
    expect(result.stdout).toContain('redrive');
  });

  test('rejects an unknown command with exit code 2', async () => {
    const result = await eda(['deploy']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('eda deploy: unknown command deploy');
  });

  test('rejects an unknown option with exit code 2', async () => {
    const result = await eda(['doctor', '--proxy', 'p', '--colour']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown option '--colour'");
  });

  test.each(['--version', '-v'])('%s prints the package name and version from package.json', async (flag) => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));

    const result = await eda([flag], { env: {} });

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`@cdk-elastic-data-access/runtime ${pkg.version}\n`);
    expect(result.stderr).toBe('');
  });

  test('the usage lists budget and --version', async () => {
    const result = await eda(['--help']);

    expect(result.stdout).toContain('  budget    print the concurrency budget of a synthesized app (cdk.out), every reservation the account line counts\n');
    expect(result.stdout).toContain('`eda --version` prints the version.');
  });

  test('prints the usage of a command with --help', async () => {
    const result = await eda(['redrive', '--help']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('usage: eda redrive --dlq <queue-url>');
  });
});

describe('eda without region or credentials', () => {
  test('no region is a clear error with exit code 2, before any credentials are loaded', async () => {
    const credentials = jest.fn();

    const result = await eda(['doctor', '--proxy', 'orders'], { env: {}, credentials });

    expect(result.code).toBe(2);
    expect(result.stderr).toBe('eda doctor: no AWS region configured: pass --region <region> or set AWS_REGION (or AWS_DEFAULT_REGION)\n');
    expect(credentials).not.toHaveBeenCalled();
  });

  test('AWS_DEFAULT_REGION is used when AWS_REGION is not set', async () => {
    const result = await eda(['doctor', '--proxy', 'orders'], {
      env: { AWS_DEFAULT_REGION: 'eu-west-1' },
      credentials: async () => { throw credentialsProviderError(); },
    });

    expect(result.stderr).not.toContain('no AWS region');
    expect(result.stderr).toContain('no AWS credentials found');
  });

  test('missing credentials are a clear error with exit code 2', async () => {
    const result = await eda(['redrive', '--dlq', 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders-dlq', '--dry-run'], {
      credentials: async () => { throw credentialsProviderError(); },
    });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('eda redrive: no AWS credentials found: set AWS_PROFILE');
    expect(result.stderr).not.toContain('    at ');
  });

  test('the SDK default chain with nothing configured ends in the same clear error (offline)', async () => {
    const saved = { ...process.env };
    // Every source of the chain empty, and the instance metadata service switched off so nothing leaves the machine.
    for (const name of Object.keys(process.env)) {
      if (name.startsWith('AWS_')) delete process.env[name];
    }
    Object.assign(process.env, {
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
      AWS_CONFIG_FILE: '/nonexistent/config',
    });
    let stderr = '';
    try {
      const code = await main(['doctor', '--proxy', 'orders', '--region', 'eu-west-1'], { stderr: (text) => { stderr += text; }, stdout: () => undefined });

      expect(code).toBe(2);
      expect(stderr).toContain('no AWS credentials found');
    } finally {
      process.env = saved;
    }
  });
});
