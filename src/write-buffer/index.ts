export * from './write-buffer';
export * from './write-buffer-props';
