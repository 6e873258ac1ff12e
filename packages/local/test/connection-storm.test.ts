import { stormFailureCode } from '../src/connection-storm';

describe('stormFailureCode', () => {
  test('GIVEN a SQLSTATE THEN it is the class', () => {
    expect(stormFailureCode(Object.assign(new Error('sorry, too many clients already'), { code: '53300' }))).toBe('53300');
  });

  test('GIVEN a Node socket error THEN its code is the class', () => {
    expect(stormFailureCode(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe('ECONNRESET');
  });

  test('GIVEN the code-less errors node-postgres raises THEN each gets a named class', () => {
    expect([
      stormFailureCode(new Error('Connection terminated unexpectedly')),
      stormFailureCode(new Error('timeout expired')),
      stormFailureCode(new Error('Query read timeout')),
    ]).toEqual(['CONNECTION_TERMINATED', 'CLIENT_TIMEOUT', 'CLIENT_TIMEOUT']);
  });

  test('GIVEN anything else THEN it is UNCLASSIFIED, never silently one of the refusals', () => {
    expect([stormFailureCode(new TypeError('boom')), stormFailureCode(undefined)]).toEqual(['UNCLASSIFIED', 'UNCLASSIFIED']);
  });
});
