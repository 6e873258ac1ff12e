export * from './alarm-options';
export * from './alarm-topic';
export * from './data-access-metrics';
export * from './data-access-monitoring';
export * from './functions/monitored-function';
export * from './monitored-database';
