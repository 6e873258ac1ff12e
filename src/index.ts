export * from './budget';
export * from './database';
export * from './pattern';
export * from './write-buffer';
