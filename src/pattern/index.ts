export * from './elastic-data-access';
