export * from './data-source';
export * from './guarded-writes';
export * from './leased-claim';
export * from './transient-errors';
export * from './unit-of-work';
