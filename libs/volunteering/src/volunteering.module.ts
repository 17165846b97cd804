import { Module } from '@nestjs/common';

/** The volunteering group module (see its issue); controllers and services are registered here. */
@Module({})
export class VolunteeringModule {}
