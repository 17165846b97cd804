import { Module } from '@nestjs/common';
import { BookingCalendar } from './booking-calendar';
import { BookingFeeds } from './booking-feeds.service';
import { BookingRequestsController } from './booking-requests.controller';
import { BookingResourcesController } from './booking-resources.controller';
import { BookingService } from './booking.service';
import { TenantBookingController } from './tenant-booking.controller';

/** The booking group module ("Grillhütte"): resources, occupancy, requests and their decisions. */
@Module({
  controllers: [BookingResourcesController, BookingRequestsController, TenantBookingController],
  providers: [BookingService, BookingFeeds, BookingCalendar],
  exports: [BookingService, BookingCalendar],
})
export class BookingModule {}
