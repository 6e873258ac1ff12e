export * from './concurrency';
export * from './concurrency-budget';
export * from './connection-ledger';
