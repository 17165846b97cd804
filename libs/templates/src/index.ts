export * from './template.schema';
export * from './template-loader';
