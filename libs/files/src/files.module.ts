import { Module } from '@nestjs/common';

/** The files group module (see its issue); controllers and services are registered here. */
@Module({})
export class FilesModule {}
