export * from './budget';
export * from './cache';
export * from './checks';
export * from './database';
export * from './monitoring';
export * from './pattern';
export * from './write-buffer';
