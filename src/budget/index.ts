export * from './concurrency';
export * from './concurrency-budget';
export * from './connection-ledger';
export * from './connection-target';
