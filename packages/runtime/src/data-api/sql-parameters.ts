import type { SqlParameter, TypeHint } from '@aws-sdk/client-rds-data';

/** A value wrapped with the type hint the Data API needs to cast a string parameter (DATE, DECIMAL, JSON, TIME, TIMESTAMP, UUID). */
export class TypedValue {
  constructor(public readonly value: string, public readonly typeHint: TypeHint) {}
}

/** Marks `value` as a UUID, e.g. `where id = :id` with `{ id: asUuid(id) }`. */
export const asUuid = (value: string) => new TypedValue(value, 'UUID');
/** Marks `value` as an exact decimal, passed as a string so no precision is lost. */
export const asDecimal = (value: string) => new TypedValue(value, 'DECIMAL');
/** Marks `value` as a date (`YYYY-MM-DD`). */
export const asDate = (value: string) => new TypedValue(value, 'DATE');

/** A parameter value the reader maps to a Data API `Field`. */
export type DataApiValue = string | number | bigint | boolean | null | undefined | Date | Uint8Array | TypedValue | Record<string, unknown>;

/** Named parameters: `select … where id = :id` takes `{ id: 42 }`. */
export type DataApiParameters = Readonly<Record<string, DataApiValue>>;

/** `YYYY-MM-DD HH:MM:SS.FFF` in UTC: the TIMESTAMP format the Data API accepts. */
function timestamp(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new TypeError('an invalid Date cannot be a Data API parameter');
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

/**
 * Maps named JS values to Data API parameters: strings, integers (longValue), other numbers (doubleValue),
 * bigint (longValue when safe, else a DECIMAL string), booleans, null/undefined (isNull), Date
 * (TIMESTAMP in UTC), bytes (blobValue), plain objects (JSON), and TypedValue for the other hints.
 * Arrays are rejected: the Data API does not accept array parameters.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api.calling.html
 */
export function toSqlParameters(parameters: DataApiParameters = {}): SqlParameter[] {
  return Object.entries(parameters).map(([name, value]) => toSqlParameter(name, value));
}

function toSqlParameter(name: string, value: DataApiValue): SqlParameter {
  if (value === null || value === undefined) return { name, value: { isNull: true } };
  if (value instanceof TypedValue) return { name, value: { stringValue: value.value }, typeHint: value.typeHint };
  if (value instanceof Date) return { name, value: { stringValue: timestamp(value) }, typeHint: 'TIMESTAMP' };
  if (value instanceof Uint8Array) return { name, value: { blobValue: value } };
  switch (typeof value) {
    case 'string':
      return { name, value: { stringValue: value } };
    case 'boolean':
      return { name, value: { booleanValue: value } };
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`parameter ${name} must be a finite number, got ${value}`);
      return Number.isSafeInteger(value) ? { name, value: { longValue: value } } : { name, value: { doubleValue: value } };
    case 'bigint':
      return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
        ? { name, value: { longValue: Number(value) } }
        : { name, value: { stringValue: value.toString() }, typeHint: 'DECIMAL' };
    default:
      if (Array.isArray(value)) {
        throw new TypeError(`parameter ${name} is an array: the Data API takes no array parameters (pass JSON and unnest it in SQL, e.g. json_array_elements_text(:${name}::json))`);
      }
      return { name, value: { stringValue: JSON.stringify(value) }, typeHint: 'JSON' };
  }
}
