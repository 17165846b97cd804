import { ListingMessageSchema } from './listing-message.entity';
import { ListingSchema } from './listing.entity';

/** Every entity of the listings module, for ALL_ENTITIES (libs/entities). */
export const LISTINGS_ENTITIES = [ListingSchema, ListingMessageSchema];
