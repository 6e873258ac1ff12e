import { Signer } from '@aws-sdk/rds-signer';
import { credentialsFromEnvironment, rdsAuthToken, signingCredentials } from '../../src/connections/rds-auth-token';

/*
 * The runtime signs IAM auth tokens itself (no SDK Signer in the function bundle). The reference is the SDK's own
 * Signer (a devDependency), fed the same credentials and the same clock: any difference in canonicalisation,
 * encoding or key derivation changes the signature.
 */
const NOW = new Date('2026-12-02T01:23:45.678Z');

async function sdkToken(input: { hostname: string; port: number; username: string; region: string; sessionToken?: string }) {
  jest.useFakeTimers({ now: NOW, doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'queueMicrotask'] });
  try {
    return await new Signer({
      hostname: input.hostname,
      port: input.port,
      username: input.username,
      region: input.region,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: input.sessionToken },
    }).getAuthToken();
  } finally {
    jest.useRealTimers();
  }
}

describe('rdsAuthToken', () => {
  const cases = [
    { hostname: 'orders.proxy-abc123.eu-west-1.rds.amazonaws.com', port: 5432, username: 'app_writer', region: 'eu-west-1' },
    { hostname: 'db.cluster-xyz.us-east-1.rds.amazonaws.com', port: 3306, username: 'user with space+*', region: 'us-east-1', sessionToken: 'IQoJb3JpZ2luX2VjE/session+token==' },
  ];

  test.each(cases)('matches @aws-sdk/rds-signer byte for byte ($username)', async (input) => {
    const expected = await sdkToken(input);
    const actual = rdsAuthToken({
      hostname: input.hostname,
      port: input.port,
      username: input.username,
      region: input.region,
      date: NOW,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: input.sessionToken },
    });
    expect(actual).toBe(expected);
    expect(actual).toContain('X-Amz-Expires=900');
  });

  test('credentials come from the variables Lambda sets', async () => {
    const env = { AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' };
    expect(credentialsFromEnvironment(env)).toEqual({ accessKeyId: 'AKID', secretAccessKey: 'secret', sessionToken: 'token' });
    await expect(signingCredentials(env)).resolves.toEqual({ accessKeyId: 'AKID', secretAccessKey: 'secret', sessionToken: 'token' });
    expect(credentialsFromEnvironment({ AWS_ACCESS_KEY_ID: 'AKID' })).toBeUndefined();
  });
});
