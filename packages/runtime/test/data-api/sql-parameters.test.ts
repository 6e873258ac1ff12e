import { asDate, asDecimal, toSqlParameters, TypedValue } from '../../src/data-api';

describe('toSqlParameters', () => {
  test('maps integers to longValue and other numbers to doubleValue', () => {
    expect(toSqlParameters({ n: 42, x: 0.5 })).toEqual([
      { name: 'n', value: { longValue: 42 } },
      { name: 'x', value: { doubleValue: 0.5 } },
    ]);
  });

  test('maps null and undefined to isNull', () => {
    expect(toSqlParameters({ a: null, b: undefined })).toEqual([
      { name: 'a', value: { isNull: true } },
      { name: 'b', value: { isNull: true } },
    ]);
  });

  test('maps a Date to a UTC TIMESTAMP string', () => {
    expect(toSqlParameters({ at: new Date('2026-11-23T12:34:56.789Z') })).toEqual([
      { name: 'at', value: { stringValue: '2026-11-23 12:34:56.789' }, typeHint: 'TIMESTAMP' },
    ]);
  });

  test('maps bytes to blobValue', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    expect(toSqlParameters({ b: bytes })).toEqual([{ name: 'b', value: { blobValue: bytes } }]);
  });

  test('maps a plain object to a JSON string', () => {
    expect(toSqlParameters({ doc: { a: 1 } })).toEqual([{ name: 'doc', value: { stringValue: '{"a":1}' }, typeHint: 'JSON' }]);
  });

  test('maps a safe bigint to longValue and a large one to a DECIMAL string', () => {
    expect(toSqlParameters({ small: BigInt(7), big: BigInt('9007199254740993') })).toEqual([
      { name: 'small', value: { longValue: 7 } },
      { name: 'big', value: { stringValue: '9007199254740993' }, typeHint: 'DECIMAL' },
    ]);
  });

  test('passes typed values with their hint', () => {
    expect(toSqlParameters({ d: asDate('2026-11-23'), m: asDecimal('10.10'), t: new TypedValue('12:00:00', 'TIME') })).toEqual([
      { name: 'd', value: { stringValue: '2026-11-23' }, typeHint: 'DATE' },
      { name: 'm', value: { stringValue: '10.10' }, typeHint: 'DECIMAL' },
      { name: 't', value: { stringValue: '12:00:00' }, typeHint: 'TIME' },
    ]);
  });

  test('rejects arrays because the Data API takes none', () => {
    expect(() => toSqlParameters({ ids: [1, 2] as any })).toThrow(
      'parameter ids is an array: the Data API takes no array parameters (pass JSON and unnest it in SQL, e.g. json_array_elements_text(:ids::json))');
  });

  test('rejects non-finite numbers', () => {
    expect(() => toSqlParameters({ x: Number.NaN })).toThrow('parameter x must be a finite number, got NaN');
  });

  test('rejects an invalid Date', () => {
    expect(() => toSqlParameters({ at: new Date('nope') })).toThrow('an invalid Date cannot be a Data API parameter');
  });
});
