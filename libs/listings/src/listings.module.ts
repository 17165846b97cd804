import { Module } from '@nestjs/common';
import { FilesModule } from '@allmende/files';
import { ListingArchiver } from './listing-archiver.service';
import { GroupListingsController } from './listings.controller';
import { ListingsService } from './listings.service';
import { TenantListingsController } from './listings-tenant.controller';

/** The listings group module ("Gesucht – Gefunden"); photos live in the files module's store. */
@Module({
  imports: [FilesModule],
  controllers: [GroupListingsController, TenantListingsController],
  providers: [ListingsService, ListingArchiver],
  exports: [ListingArchiver],
})
export class ListingsModule {}
