export * from './data-source';
export * from './transient-errors';
export * from './unit-of-work';
