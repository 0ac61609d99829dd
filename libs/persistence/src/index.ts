export * from './data-source';
export * from './transient-errors';
