import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
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
import { apiSchema, withEtag, type Page } from '@allmende/content';
import { ZodValidationPipe } from '@allmende/core';
import {
  callListQuery,
  callPage,
  callView,
  createCallBody,
  editCallBody,
  idParam,
  itemBody,
  itemPledgeBody,
  pledgeListView,
  shiftBody,
  type CallListQuery,
  type CallView,
  type CreateCallInput,
  type EditCallInput,
  type ItemInput,
  type ItemPledgeInput,
  type PledgeListView,
  type ShiftInput,
} from './volunteering-views';
import { VolunteeringService } from './volunteering.service';

const id = new ZodValidationPipe(idParam);

/**
 * The calls for help of one group. Reads are `@Public()` and writes `@SignedIn()`: the
 * module's rules (visibility, membership, organisers) are applied in the service.
 */
@ApiTags('volunteering')
@ApiBearerAuth()
@Controller('api/tenants/:tenant/groups/:group/volunteering/calls')
export class GroupVolunteeringController {
  constructor(private readonly volunteering: VolunteeringService) {}

  @Public()
  @Get()
  @ApiOperation({ summary: 'Calls of the group, newest first; ?open=true: only with open needs (ETag)' })
  @ApiOkResponse({ schema: apiSchema(callPage) })
  async list(
    @Param('group') group: string,
    @Query(new ZodValidationPipe(callListQuery)) query: CallListQuery,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<Page<CallView> | undefined> {
    return withEtag(request, response, await this.volunteering.listGroupCalls(actor, group, query));
  }

  @SignedIn()
  @Post()
  @ApiOperation({ summary: 'Publish a call with its shifts and items (members of the group)' })
  @ApiBody({ schema: apiSchema(createCallBody) })
  @ApiCreatedResponse({ schema: apiSchema(callView) })
  async create(
    @Param('group') group: string,
    @Body(new ZodValidationPipe(createCallBody)) body: CreateCallInput,
    @CurrentActor() actor: Actor,
  ): Promise<CallView> {
    return this.volunteering.createCall(actor, group, body);
  }

  @Public()
  @Get(':call')
  @ApiOperation({ summary: 'A call with its shifts, items, progress and the caller’s pledges (ETag)' })
  @ApiOkResponse({ schema: apiSchema(callView) })
  async get(
    @Param('group') group: string,
    @Param('call', id) call: string,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CallView | undefined> {
    return withEtag(request, response, await this.volunteering.getCall(actor, group, call));
  }

  @SignedIn()
  @Patch(':call')
  @ApiOperation({ summary: 'Edit a call (its organisers; moderators on others’ calls: audited)' })
  @ApiBody({ schema: apiSchema(editCallBody) })
  @ApiOkResponse({ schema: apiSchema(callView) })
  async edit(
    @Param('group') group: string,
    @Param('call', id) call: string,
    @Body(new ZodValidationPipe(editCallBody)) body: EditCallInput,
    @CurrentActor() actor: Actor,
  ): Promise<CallView> {
    return this.volunteering.editCall(actor, group, call, body);
  }

  @SignedIn()
  @Post(':call/close')
  @HttpCode(200)
  @ApiOperation({ summary: 'Close a call: no more pledges (its organisers; idempotent)' })
  @ApiOkResponse({ schema: apiSchema(callView) })
  async close(
    @Param('group') group: string,
    @Param('call', id) call: string,
    @CurrentActor() actor: Actor,
  ): Promise<CallView> {
    return this.volunteering.closeCall(actor, group, call);
  }

  @SignedIn()
  @Post(':call/shifts')
  @ApiOperation({ summary: 'Add a shift to a call (its organisers)' })
  @ApiBody({ schema: apiSchema(shiftBody) })
  @ApiCreatedResponse({ schema: apiSchema(callView) })
  async addShift(
    @Param('group') group: string,
    @Param('call', id) call: string,
    @Body(new ZodValidationPipe(shiftBody)) body: ShiftInput,
    @CurrentActor() actor: Actor,
  ): Promise<CallView> {
    return this.volunteering.addShift(actor, group, call, body);
  }

  @SignedIn()
  @Post(':call/items')
  @ApiOperation({ summary: 'Add a needed item to a call (its organisers)' })
  @ApiBody({ schema: apiSchema(itemBody) })
  @ApiCreatedResponse({ schema: apiSchema(callView) })
  async addItem(
    @Param('group') group: string,
    @Param('call', id) call: string,
    @Body(new ZodValidationPipe(itemBody)) body: ItemInput,
    @CurrentActor() actor: Actor,
  ): Promise<CallView> {
    return this.volunteering.addItem(actor, group, call, body);
  }

  @SignedIn()
  @Get(':call/pledges')
  @ApiOperation({ summary: 'Who pledged what, by name (the call’s organisers)' })
  @ApiOkResponse({ schema: apiSchema(pledgeListView) })
  async pledges(
    @Param('group') group: string,
    @Param('call', id) call: string,
    @CurrentActor() actor: Actor,
  ): Promise<PledgeListView> {
    return this.volunteering.listPledges(actor, group, call);
  }

  @SignedIn()
  @Post(':call/shifts/:shift/pledge')
  @ApiOperation({
    summary: 'Pledge a shift (members of the tenant who may read the group; 409 when full)',
  })
  @ApiCreatedResponse({ schema: apiSchema(callView) })
  async pledgeShift(
    @Param('group') group: string,
    @Param('call', id) call: string,
    @Param('shift', id) shift: string,
    @CurrentActor() actor: Actor,
  ): Promise<CallView> {
    return this.volunteering.pledgeShift(actor, group, call, shift);
  }

  @SignedIn()
  @Delete(':call/shifts/:shift/pledge')
  @ApiOperation({ summary: 'Withdraw the caller’s pledge for a shift' })
  @ApiOkResponse({ schema: apiSchema(callView) })
  async withdrawShift(
    @Param('group') group: string,
    @Param('call', id) call: string,
    @Param('shift', id) shift: string,
    @CurrentActor() actor: Actor,
  ): Promise<CallView> {
    return this.volunteering.withdrawShift(actor, group, call, shift);
  }

  @SignedIn()
  @Post(':call/items/:item/pledge')
  @ApiOperation({
    summary: 'Pledge a quantity of an item (members of the tenant who may read the group; 409 when too many)',
  })
  @ApiBody({ schema: apiSchema(itemPledgeBody) })
  @ApiCreatedResponse({ schema: apiSchema(callView) })
  async pledgeItem(
    @Param('group') group: string,
    @Param('call', id) call: string,
    @Param('item', id) item: string,
    @Body(new ZodValidationPipe(itemPledgeBody)) body: ItemPledgeInput,
    @CurrentActor() actor: Actor,
  ): Promise<CallView> {
    return this.volunteering.pledgeItem(actor, group, call, item, body);
  }

  @SignedIn()
  @Delete(':call/items/:item/pledge')
  @ApiOperation({ summary: 'Withdraw the caller’s pledge for an item' })
  @ApiOkResponse({ schema: apiSchema(callView) })
  async withdrawItem(
    @Param('group') group: string,
    @Param('call', id) call: string,
    @Param('item', id) item: string,
    @CurrentActor() actor: Actor,
  ): Promise<CallView> {
    return this.volunteering.withdrawItem(actor, group, call, item);
  }
}
