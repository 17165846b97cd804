import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, Public, type Actor } from '@allmende/auth';
import { apiSchema, withEtag, type Page } from '@allmende/content';
import { ZodValidationPipe } from '@allmende/core';
import { listingPage, tenantListingQuery, type ListingView, type TenantListingQuery } from './listing.dto';
import { ListingsService } from './listings.service';

/** Open listings of the whole community: every group with listings the caller may read. */
@ApiTags('listings')
@ApiBearerAuth()
@Controller('api/tenants/:tenant/listings')
export class TenantListingsController {
  constructor(private readonly listings: ListingsService) {}

  @Public()
  @Get()
  @ApiOperation({ summary: 'Open listings of every group the caller may read, newest first (filter kind)' })
  @ApiOkResponse({ schema: apiSchema(listingPage) })
  async list(
    @Query(new ZodValidationPipe(tenantListingQuery)) query: TenantListingQuery,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<Page<ListingView> | undefined> {
    // A feed clients poll: 304 when nothing changed.
    return withEtag(request, response, await this.listings.listTenantWide(actor, query));
  }
}
