export * from './elastic-data-access-checks';
export * from './elastic-data-access-rule';
