import { Module } from '@nestjs/common';

/** The events group module (see its issue); controllers and services are registered here. */
@Module({})
export class EventsModule {}
