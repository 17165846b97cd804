export * from './bookable-resource.entity';
export * from './entities';
export * from './booking.module';
