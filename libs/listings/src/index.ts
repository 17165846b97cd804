export * from './entities';
export * from './listing.entity';
export * from './listing-message.entity';
export * from './listing.dto';
export * from './listings.service';
export * from './listing-archiver.service';
export * from './listings.module';
