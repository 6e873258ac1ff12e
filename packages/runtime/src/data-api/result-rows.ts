import type { ArrayValue, ColumnMetadata, Field } from '@aws-sdk/client-rds-data';

/** One result row: column label → value. */
export type DataApiRow = Record<string, unknown>;

const JSON_TYPES = new Set(['json', 'jsonb']);

function arrayValue(array: ArrayValue): unknown[] {
  if (array.booleanValues) return array.booleanValues;
  if (array.longValues) return array.longValues;
  if (array.doubleValues) return array.doubleValues;
  if (array.stringValues) return array.stringValues;
  if (array.arrayValues) return array.arrayValues.map((nested) => (nested ? arrayValue(nested) : null));
  return [];
}

/** The JS value of one field: null, boolean, number, string (JSON columns parsed), bytes or an array. */
export function fieldValue(field: Field, column?: ColumnMetadata): unknown {
  if (field.isNull) return null;
  if (field.booleanValue !== undefined) return field.booleanValue;
  if (field.longValue !== undefined) return field.longValue;
  if (field.doubleValue !== undefined) return field.doubleValue;
  if (field.stringValue !== undefined) {
    return JSON_TYPES.has(column?.typeName?.toLowerCase() ?? '') ? JSON.parse(field.stringValue) : field.stringValue;
  }
  if (field.blobValue !== undefined) return field.blobValue;
  if (field.arrayValue !== undefined) return arrayValue(field.arrayValue);
  return null;
}

/**
 * Maps Data API records to plain rows keyed by column label (the `as` name), falling back to the column
 * name. Decimals arrive as strings (exact), timestamps as strings in UTC as the Data API returns them.
 */
export function toRows(records: Field[][] = [], columns: ColumnMetadata[] = []): DataApiRow[] {
  const names = columns.map((column, index) => column.label || column.name || `column${index + 1}`);
  return records.map((record) => {
    const row: DataApiRow = {};
    record.forEach((field, index) => {
      row[names[index] ?? `column${index + 1}`] = fieldValue(field, columns[index]);
    });
    return row;
  });
}
