export * from './engine';
export * from './connection';
export * from './database-source';
export * from './proxy-options';
export * from './proxy-metrics';
export * from './data-access-database-props';
export * from './data-access-database';
