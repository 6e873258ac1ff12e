import { readDataApiSettings, toRows } from '../../src/data-api';

describe('toRows', () => {
  test('maps array columns, nested arrays included', () => {
    const rows = toRows(
      [[{ arrayValue: { longValues: [1, 2] } }, { arrayValue: { arrayValues: [{ stringValues: ['a'] }, { stringValues: ['b', 'c'] }] } }]],
      [{ name: 'ids' }, { name: 'tags' }],
    );

    expect(rows).toEqual([{ ids: [1, 2], tags: [['a'], ['b', 'c']] }]);
  });

  test('maps booleans, doubles and bytes', () => {
    const bytes = new Uint8Array([9]);
    expect(toRows([[{ booleanValue: false }, { doubleValue: 1.25 }, { blobValue: bytes }]], [{ name: 'b' }, { name: 'd' }, { name: 'raw' }]))
      .toEqual([{ b: false, d: 1.25, raw: bytes }]);
  });

  test('names columns without metadata by position', () => {
    expect(toRows([[{ longValue: 1 }, { stringValue: 'x' }]])).toEqual([{ column1: 1, column2: 'x' }]);
  });
});

describe('readDataApiSettings', () => {
  const valid = {
    EDA_DATA_API_RESOURCE_ARN: 'arn:aws:rds:eu-west-1:123456789012:cluster:orders',
    EDA_DATA_API_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:reader',
    EDA_DATABASE: 'app',
  };

  test('reads the three variables and the optional schema', () => {
    expect(readDataApiSettings({ ...valid, EDA_DATA_API_SCHEMA: 'reporting' })).toEqual({
      resourceArn: valid.EDA_DATA_API_RESOURCE_ARN, secretArn: valid.EDA_DATA_API_SECRET_ARN, database: 'app', schema: 'reporting',
    });
  });

  test('an instance ARN is rejected: the Data API addresses clusters', () => {
    expect(() => readDataApiSettings({ ...valid, EDA_DATA_API_RESOURCE_ARN: 'arn:aws:rds:eu-west-1:123456789012:db:orders-1' })).toThrow(
      'EDA_DATA_API_RESOURCE_ARN must be an Aurora cluster ARN (arn:aws:rds:<region>:<account>:cluster:<name>), got arn:aws:rds:eu-west-1:123456789012:db:orders-1');
  });

  test('a secret that is not a Secrets Manager ARN is rejected', () => {
    expect(() => readDataApiSettings({ ...valid, EDA_DATA_API_SECRET_ARN: 'password' })).toThrow(
      'EDA_DATA_API_SECRET_ARN must be a Secrets Manager secret ARN, got password');
  });

  test('a missing database is rejected', () => {
    expect(() => readDataApiSettings({ ...valid, EDA_DATABASE: undefined })).toThrow(
      'EDA_DATABASE is required for the Data API reader (see docs/environment-contract.md)');
  });
});
