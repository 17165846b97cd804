import { BookableResourceSchema } from './bookable-resource.entity';

/** Every entity of the booking module, for ALL_ENTITIES (libs/entities). */
export const BOOKING_ENTITIES = [BookableResourceSchema];
