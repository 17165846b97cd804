import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, SignedIn, type Actor } from '@allmende/auth';
import { apiSchema, pageQuery, type Page, type PageQuery } from '@allmende/content';
import { ZodValidationPipe } from '@allmende/core';
import { BookingService } from './booking.service';
import { bookingPage, type BookingView } from './booking-views';

/** Booking across the tenant's groups: the caller's own requests in one list. */
@ApiTags('booking')
@ApiBearerAuth()
@SignedIn()
@Controller('api/tenants/:tenant/booking')
export class TenantBookingController {
  constructor(private readonly booking: BookingService) {}

  @Get('requests/mine')
  @ApiOperation({ summary: 'Your own requests in every group, latest start first' })
  @ApiOkResponse({ schema: apiSchema(bookingPage) })
  async mine(
    @Query(new ZodValidationPipe(pageQuery)) query: PageQuery,
    @CurrentActor() actor: Actor,
  ): Promise<Page<BookingView>> {
    return this.booking.myRequestsEverywhere(actor, query);
  }
}
