import { BookableResourceSchema } from './bookable-resource.entity';
import { BookingSchema } from './booking.entity';

/** Every entity of the booking module, for ALL_ENTITIES (libs/entities). */
export const BOOKING_ENTITIES = [BookableResourceSchema, BookingSchema];
