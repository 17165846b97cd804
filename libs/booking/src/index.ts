export * from './bookable-resource.entity';
