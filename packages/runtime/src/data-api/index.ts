export { dataApiQuery, dataApiExecute } from './data-api-query';
export type { DataApiQueryOptions, DataApiResult } from './data-api-query';
export { readDataApiSettings } from './data-api-settings';
export type { DataApiSettings } from './data-api-settings';
export { toSqlParameters, TypedValue, asUuid, asDecimal, asDate } from './sql-parameters';
export type { DataApiValue, DataApiParameters } from './sql-parameters';
export { toRows, fieldValue } from './result-rows';
export type { DataApiRow } from './result-rows';
