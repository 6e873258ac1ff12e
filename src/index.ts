export * from './budget';
export * from './write-buffer';
