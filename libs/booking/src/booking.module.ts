import { Module } from '@nestjs/common';

/** The booking group module (see its issue); controllers and services are registered here. */
@Module({})
export class BookingModule {}
