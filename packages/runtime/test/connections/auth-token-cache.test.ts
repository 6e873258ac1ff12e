import { readConnectionSettings } from '../../src/config/environment';
import { AuthTokenCache } from '../../src/connections/auth-token-cache';
import { createPasswordProvider } from '../../src/connections/credentials';
import { FakeClock } from '../support/fakes';

const MINUTE = 60_000;

function counterGenerator() {
  let n = 0;
  return jest.fn(async () => `token-${++n}`);
}

describe('AuthTokenCache', () => {
  test('reuses the token while it is more than 2 minutes from expiry', async () => {
    // GIVEN
    const clock = new FakeClock();
    const generate = counterGenerator();
    const cache = new AuthTokenCache({ generate, clock });
    await cache.get();
    // WHEN
    clock.advance(12 * MINUTE + 59_999);
    // THEN
    await expect(cache.get()).resolves.toBe('token-1');
    expect(generate).toHaveBeenCalledTimes(1);
  });

  test('refreshes the token 2 minutes before its 15-minute expiry', async () => {
    // GIVEN
    const clock = new FakeClock();
    const generate = counterGenerator();
    const cache = new AuthTokenCache({ generate, clock });
    await cache.get();
    // WHEN
    clock.advance(13 * MINUTE);
    // THEN
    await expect(cache.get()).resolves.toBe('token-2');
  });

  test('shares one generation between concurrent callers', async () => {
    // GIVEN
    const generate = counterGenerator();
    const cache = new AuthTokenCache({ generate, clock: new FakeClock() });
    // WHEN
    const tokens = await Promise.all([cache.get(), cache.get(), cache.get()]);
    // THEN
    expect(tokens).toEqual(['token-1', 'token-1', 'token-1']);
    expect(generate).toHaveBeenCalledTimes(1);
  });

  test('generates again after invalidate', async () => {
    // GIVEN
    const cache = new AuthTokenCache({ generate: counterGenerator(), clock: new FakeClock() });
    await cache.get();
    // WHEN
    cache.invalidate();
    // THEN
    await expect(cache.get()).resolves.toBe('token-2');
  });

  test('does not cache a failed generation', async () => {
    // GIVEN
    const generate = jest.fn().mockRejectedValueOnce(new Error('throttled')).mockResolvedValueOnce('token-ok');
    const cache = new AuthTokenCache({ generate, clock: new FakeClock() });
    // WHEN
    await expect(cache.get()).rejects.toThrow('throttled');
    // THEN
    await expect(cache.get()).resolves.toBe('token-ok');
  });
});

describe('createPasswordProvider', () => {
  const base = { EDA_ENGINE: 'postgres', EDA_WRITE_HOST: 'proxy.example', EDA_DATABASE: 'app', EDA_DB_USER: 'app_writer', AWS_REGION: 'eu-west-1' };

  test('EDA_AUTH=iam signs a token for the host, port, user and region of the endpoint', async () => {
    // GIVEN
    const settings = readConnectionSettings('writer', { ...base, EDA_AUTH: 'iam' });
    const generateIamToken = jest.fn(async () => 'iam-token');
    // WHEN
    const password = await createPasswordProvider(settings, 'proxy.example', { generateIamToken }).password();
    // THEN
    expect(password).toBe('iam-token');
    expect(generateIamToken).toHaveBeenCalledWith({ hostname: 'proxy.example', port: 5432, username: 'app_writer', region: 'eu-west-1' });
  });

  test('EDA_AUTH=secret reads the password field of the secret once and caches it', async () => {
    // GIVEN
    const settings = readConnectionSettings('writer', { ...base, EDA_AUTH: 'secret', EDA_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:db' });
    const fetchSecret = jest.fn(async () => JSON.stringify({ username: 'app_writer', password: 's3cret' }));
    const provider = createPasswordProvider(settings, 'proxy.example', { fetchSecret, clock: new FakeClock() });
    // WHEN
    const passwords = [await provider.password(), await provider.password()];
    // THEN
    expect(passwords).toEqual(['s3cret', 's3cret']);
    expect(fetchSecret).toHaveBeenCalledTimes(1);
    expect(fetchSecret).toHaveBeenCalledWith('arn:aws:secretsmanager:eu-west-1:1:secret:db');
  });

  test('EDA_AUTH=password returns EDA_DB_PASSWORD', async () => {
    const settings = readConnectionSettings('writer', { ...base, EDA_AUTH: 'password', EDA_DB_PASSWORD: 'local' });
    await expect(createPasswordProvider(settings, 'localhost').password()).resolves.toBe('local');
  });
});

describe('IAM token signed by the runtime from the environment credentials (no network)', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('EDA_AUTH=iam signs an rds-db connect token for the endpoint with the function credentials', async () => {
    // GIVEN static credentials (Lambda provides them through the same environment variables)
    process.env.AWS_ACCESS_KEY_ID = 'AKIAEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret-example';
    process.env.AWS_SESSION_TOKEN = 'session-example';
    const settings = readConnectionSettings('writer', {
      EDA_ENGINE: 'postgres',
      EDA_WRITE_HOST: 'orders.proxy-abc.eu-west-1.rds.amazonaws.com',
      EDA_DATABASE: 'app',
      EDA_DB_USER: 'app_writer',
      EDA_AUTH: 'iam',
      AWS_REGION: 'eu-west-1',
    });
    // WHEN
    const token = await createPasswordProvider(settings, 'orders.proxy-abc.eu-west-1.rds.amazonaws.com').password();
    // THEN
    expect(token.startsWith('orders.proxy-abc.eu-west-1.rds.amazonaws.com:5432/?')).toBe(true);
    const query = new URLSearchParams(token.split('?')[1]);
    expect(query.get('Action')).toBe('connect');
    expect(query.get('DBUser')).toBe('app_writer');
    expect(query.get('X-Amz-Expires')).toBe('900');
    expect(query.get('X-Amz-Credential')).toMatch(/^AKIAEXAMPLE\/\d{8}\/eu-west-1\/rds-db\/aws4_request$/);
  });
});
