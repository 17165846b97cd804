import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentActor, Public, type Actor } from '@allmende/auth';
import { ZodValidationPipe } from '@allmende/core';
import { apiSchema, pageQuery, type Page } from '@allmende/content';
import { SearchService, type SearchHit } from './search.service';

const searchQuery = pageQuery.extend({ q: z.string().trim().min(2).max(200) });

const searchPage = z.object({
  items: z.array(
    z.object({
      kind: z.enum(['news', 'listing', 'thread']),
      id: z.uuid(),
      group: z.string(),
      title: z.string(),
      excerpt: z.string(),
      createdAt: z.string(),
      rank: z.number(),
    }),
  ),
  nextCursor: z.string().nullable(),
});

@ApiTags('search')
@Controller('api/tenants/:tenant/search')
export class SearchController {
  constructor(private readonly search: SearchService) {}

  /** Public: anonymous callers find what public groups hold; members find more. */
  @Public()
  @Get()
  @ApiOperation({
    summary: 'Search news, listings and discussion threads the caller may see (German stemming)',
  })
  @ApiQuery({ name: 'q', required: true, description: 'words, "a phrase", -excluded (2–200 characters)' })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiOkResponse({ schema: apiSchema(searchPage) })
  async find(
    @Query(new ZodValidationPipe(searchQuery)) query: z.infer<typeof searchQuery>,
    @CurrentActor() actor: Actor,
  ): Promise<Page<SearchHit>> {
    return this.search.search(actor, query.q, query.limit, query.cursor);
  }
}
