import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@allmende/core';
import { FileStorage } from './file-storage';
import { FilesController } from './files.controller';
import { FilesService } from './files.service';
import { LocalDirectoryStorage } from './local-directory-storage';
import { MemberNames } from './member-names';

/** The files group module; its store also holds the photos of listings. */
@Module({
  controllers: [FilesController],
  providers: [
    {
      provide: FileStorage,
      useFactory: (config: AppConfig) => new LocalDirectoryStorage(config.FILES_DIR),
      inject: [APP_CONFIG],
    },
    FilesService,
    MemberNames,
  ],
  exports: [FilesService, MemberNames],
})
export class FilesModule {}
