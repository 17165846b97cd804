import { Module } from '@nestjs/common';

/** The listings group module (see its issue); controllers and services are registered here. */
@Module({})
export class ListingsModule {}
