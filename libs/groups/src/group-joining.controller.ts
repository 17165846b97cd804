import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { CurrentActor, GroupRole, SignedIn, type Actor } from '@allmende/auth';
import { apiSchema, ZodValidationPipe } from '@allmende/core';
import type { GroupJoinRequest } from './group-join-request.entity';
import { GroupJoiningService, type JoinOutcome } from './group-joining.service';

const joinBody = z.strictObject({ message: z.string().trim().max(500).optional() }).optional();
const requestId = z.uuid();
const joinOutcome = z.object({
  status: z.enum(['member', 'joined', 'requested']),
  requestId: z.uuid().optional().describe('with `requested`'),
});

const joinRequestView = z.object({
  id: z.uuid(),
  status: z.enum(['pending', 'approved', 'declined']),
  email: z.string().nullable(),
  name: z.string().nullable(),
  tenantMember: z
    .boolean()
    .describe('whether the person is a member of the tenant already (else approving makes them one)'),
  message: z.string().nullable(),
  createdAt: z.string(),
});
type JoinRequestView = z.infer<typeof joinRequestView>;

function view(request: GroupJoinRequest & { email?: string | null; name?: string | null }): JoinRequestView {
  return {
    id: request.id,
    status: request.status,
    email: request.email ?? null,
    name: request.name ?? null,
    tenantMember: !!request.memberId,
    message: request.message ?? null,
    createdAt: request.createdAt.toISOString(),
  };
}

@ApiTags('groups')
@ApiBearerAuth()
@Controller('api/tenants/:tenant/groups/:group')
export class GroupJoiningController {
  constructor(private readonly joining: GroupJoiningService) {}

  /** Any signed-in person, member of the tenant or not. */
  @SignedIn()
  @Post('join')
  @ApiOperation({ summary: 'Join an open group, or ask to join one' })
  @ApiBody({ required: false, schema: apiSchema(joinBody.unwrap()) })
  @ApiResponse({ status: 201, description: 'joined an open group', schema: apiSchema(joinOutcome) })
  @ApiResponse({ status: 202, description: 'asked: the group admins decide', schema: apiSchema(joinOutcome) })
  @ApiResponse({ status: 200, description: 'a member already', schema: apiSchema(joinOutcome) })
  async join(
    @Param('group') group: string,
    @Body(new ZodValidationPipe(joinBody)) body: z.infer<typeof joinBody>,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) response: Response,
  ): Promise<JoinOutcome> {
    const person = actor.person!;
    const outcome = await this.joining.requestToJoin(
      group,
      {
        userId: person.userId,
        memberId: actor.membership?.memberId ?? null,
        email: person.email,
        emailVerified: person.emailVerified,
        name: person.name,
      },
      body?.message,
    );
    response.status(outcome.status === 'joined' ? 201 : outcome.status === 'requested' ? 202 : 200);
    return outcome;
  }

  @GroupRole('group_admin')
  @Get('join-requests')
  @ApiOperation({ summary: 'Pending requests to join the group (group admins)' })
  @ApiResponse({ status: 200, schema: apiSchema(z.array(joinRequestView)) })
  async pending(@Param('group') group: string): Promise<JoinRequestView[]> {
    return (await this.joining.pending(group)).map(view);
  }

  @GroupRole('group_admin')
  @Post('join-requests/:request/approve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Let the person in (a person new to the community: tenant admins only)' })
  @ApiResponse({ status: 200, schema: apiSchema(joinRequestView) })
  async approve(
    @Param('group') group: string,
    @Param('request', new ZodValidationPipe(requestId)) id: string,
    @CurrentActor() actor: Actor,
  ): Promise<JoinRequestView> {
    return view(await this.joining.decide(group, id, true, decider(actor)));
  }

  @GroupRole('group_admin')
  @Post('join-requests/:request/decline')
  @HttpCode(200)
  @ApiOperation({ summary: 'Decline the request' })
  @ApiResponse({ status: 200, schema: apiSchema(joinRequestView) })
  async decline(
    @Param('group') group: string,
    @Param('request', new ZodValidationPipe(requestId)) id: string,
    @CurrentActor() actor: Actor,
  ): Promise<JoinRequestView> {
    return view(await this.joining.decide(group, id, false, decider(actor)));
  }
}

function decider(actor: Actor) {
  return {
    memberId: actor.membership!.memberId,
    tenantAdmin: actor.membership!.role === 'tenant_admin',
    actor,
  };
}
