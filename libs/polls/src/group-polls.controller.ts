import { Body, Controller, Get, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentActor, Public, SignedIn, type Actor } from '@allmende/auth';
import { apiSchema, withEtag, type Page, type PageQuery } from '@allmende/content';
import { ZodValidationPipe } from '@allmende/core';
import {
  answersBody,
  createPollBody,
  finaliseBody,
  idParam,
  pollListQuery,
  pollPage,
  pollView,
  type AnswersInput,
  type CreatePollInput,
  type FinaliseInput,
  type PollView,
} from './poll-views';
import { PollsService } from './polls.service';

const id = new ZodValidationPipe(idParam);

/**
 * The date-finding polls of one group. Reads are `@Public()` and writes `@SignedIn()`: the
 * module's rules (visibility, membership, moderation) are applied in one place, GroupAccess.
 */
@ApiTags('polls')
@ApiBearerAuth()
@Controller('api/tenants/:tenant/groups/:group/polls')
export class GroupPollsController {
  constructor(private readonly polls: PollsService) {}

  @Public()
  @Get()
  @ApiOperation({ summary: 'Polls of the group with their results, newest first (ETag)' })
  @ApiOkResponse({ schema: apiSchema(pollPage) })
  async list(
    @Param('group') group: string,
    @Query(new ZodValidationPipe(pollListQuery)) query: PageQuery,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<Page<PollView> | undefined> {
    return withEtag(request, response, await this.polls.listPolls(actor, group, query));
  }

  @SignedIn()
  @Post()
  @ApiOperation({ summary: 'Create a poll with its proposed dates (members of the group)' })
  @ApiBody({ schema: apiSchema(createPollBody) })
  @ApiCreatedResponse({ schema: apiSchema(pollView) })
  async create(
    @Param('group') group: string,
    @Body(new ZodValidationPipe(createPollBody)) body: CreatePollInput,
    @CurrentActor() actor: Actor,
  ): Promise<PollView> {
    return this.polls.createPoll(actor, group, body);
  }

  @Public()
  @Get(':id')
  @ApiOperation({ summary: 'One poll with its results table (ETag)' })
  @ApiOkResponse({ schema: apiSchema(pollView) })
  async get(
    @Param('group') group: string,
    @Param('id', id) pollId: string,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<PollView | undefined> {
    return withEtag(request, response, await this.polls.getPoll(actor, group, pollId));
  }

  @SignedIn()
  @Put(':id/answers')
  @ApiOperation({ summary: 'Set the caller’s answers (the whole set; members of the group)' })
  @ApiBody({ schema: apiSchema(answersBody) })
  @ApiOkResponse({ schema: apiSchema(pollView) })
  async answer(
    @Param('group') group: string,
    @Param('id', id) pollId: string,
    @Body(new ZodValidationPipe(answersBody)) body: AnswersInput,
    @CurrentActor() actor: Actor,
  ): Promise<PollView> {
    return this.polls.answer(actor, group, pollId, body);
  }

  @SignedIn()
  @Post(':id/close')
  @ApiOperation({ summary: 'Stop taking answers (the author or a group admin; audited for admins)' })
  @ApiCreatedResponse({ schema: apiSchema(pollView) })
  async close(
    @Param('group') group: string,
    @Param('id', id) pollId: string,
    @CurrentActor() actor: Actor,
  ): Promise<PollView> {
    return this.polls.closePoll(actor, group, pollId);
  }

  @SignedIn()
  @Post(':id/finalise')
  @ApiOperation({
    summary: 'Finalise one option into an event and notify the participants (the author or a group admin)',
  })
  @ApiBody({ schema: apiSchema(finaliseBody) })
  @ApiCreatedResponse({ schema: apiSchema(pollView) })
  async finalise(
    @Param('group') group: string,
    @Param('id', id) pollId: string,
    @Body(new ZodValidationPipe(finaliseBody)) body: FinaliseInput,
    @CurrentActor() actor: Actor,
  ): Promise<PollView> {
    return this.polls.finalise(actor, group, pollId, body);
  }
}
