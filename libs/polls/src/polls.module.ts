import { Module } from '@nestjs/common';

/** The polls group module (see its issue); controllers and services are registered here. */
@Module({})
export class PollsModule {}
