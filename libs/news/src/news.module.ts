import { Module } from '@nestjs/common';

/** The news group module (see its issue); controllers and services are registered here. */
@Module({})
export class NewsModule {}
