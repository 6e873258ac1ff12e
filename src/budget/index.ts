export * from './connection-ledger';
