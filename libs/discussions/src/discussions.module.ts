import { Module } from '@nestjs/common';

/** The discussions group module (see its issue); controllers and services are registered here. */
@Module({})
export class DiscussionsModule {}
