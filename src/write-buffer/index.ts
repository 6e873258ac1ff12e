export * from './write-buffer';
