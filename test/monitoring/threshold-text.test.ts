import { Template } from 'aws-cdk-lib/assertions';
import { monitorFixture, patternFixture } from './monitoring-fixtures';
import { formatThreshold } from '../../src/monitoring/threshold-text';

/** Deterministic pseudo-random numbers (a fixed-seed LCG), so a failure names a reproducible value. */
function pseudoRandom(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
}

describe('formatThreshold', () => {
  test.each([
    [0, '0'], [-0, '-0'], [5, '5'], [-1, '-1'], [950, '950'], [100000, '100,000'], [268435456, '268,435,456'],
    [0.5, '0.5'], [1234.5678, '1,234.568'], [1.0005, '1.001'], [0.0004999, '0'], [-0.0005, '-0.001'], [999.9995, '1,000'],
    [Number.MAX_SAFE_INTEGER, '9,007,199,254,740,991'],
  ])('writes %p as %p, as toLocaleString(\'en-US\') does', (value, expected) => {
    // THEN
    expect(formatThreshold(value)).toBe(expected);
    expect(value.toLocaleString('en-US')).toBe(expected);
  });

  test('agrees with toLocaleString(\'en-US\') on 60,000 numbers from 1e-6 to 1e14, exponent forms and non-finite values', () => {
    // GIVEN
    const random = pseudoRandom(42);
    const values = [NaN, Infinity, -Infinity, 2.5e-7, 1e-6, 1.5e-6, 1e21, 1.2345e20, 0.1 + 0.2, 1 / 3, 2 / 3, 9.9995, 0.0015, 0.0025];
    for (let i = 0; i < 20_000; i++) {
      const exponent = Math.floor(random() * 20) - 6;
      values.push((random() - 0.3) * 10 ** exponent);
      values.push(Math.round(random() * 10 ** (exponent + 6)) / 1000);
      values.push(Math.round(random() * 1e6) / 10 ** Math.floor(random() * 7));
    }
    // WHEN
    const mismatches = values.filter((v) => formatThreshold(v) !== v.toLocaleString('en-US'));
    // THEN
    expect(values.length).toBeGreaterThan(60_000);
    expect(mismatches).toEqual([]);
  });

  test('the alarm descriptions of a whole DataAccessMonitoring are written without toLocaleString (no ICU at synth)', () => {
    // GIVEN
    const fixture = patternFixture();
    const toLocaleString = jest.spyOn(Number.prototype, 'toLocaleString');
    try {
      // WHEN
      monitorFixture(fixture);
      const descriptions = Object.values(Template.fromStack(fixture.stack).findResources('AWS::CloudWatch::Alarm'))
        .map((r) => r.Properties.AlarmDescription as string);
      // THEN
      expect(descriptions.length).toBeGreaterThan(10);
      expect(descriptions.filter((d) => d.startsWith('Symptom: '))).toHaveLength(descriptions.length);
      expect(toLocaleString).not.toHaveBeenCalled();
    } finally {
      toLocaleString.mockRestore();
    }
  });
});
