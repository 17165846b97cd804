import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentActor, TenantRole, type Actor } from '@allmende/auth';
import { apiSchema, ProblemException, ZodValidationPipe } from '@allmende/core';
import type { Member } from './member.entity';
import { MembersService } from './members.service';

const memberView = z.object({
  id: z.uuid(),
  email: z.string(),
  givenName: z.string(),
  familyName: z.string(),
  phone: z.string().nullable(),
  role: z.enum(['tenant_admin', 'member']),
  signedIn: z.boolean().describe('whether the person has signed in (their account is linked)'),
  invitedAt: z.string().nullable(),
});
type MemberView = z.infer<typeof memberView>;

const memberPageView = z.object({ items: z.array(memberView), next: z.string().nullable() });
type MemberPageView = z.infer<typeof memberPageView>;

const listQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  after: z.string().min(1).max(320).optional(),
});

function view(member: Member): MemberView {
  return {
    id: member.id,
    email: member.email,
    givenName: member.givenName,
    familyName: member.familyName,
    phone: member.phone ?? null,
    role: member.role,
    signedIn: !!member.userId,
    invitedAt: member.invitedAt ? member.invitedAt.toISOString() : null,
  };
}

@ApiTags('members')
@ApiBearerAuth()
@Controller('api/tenants/:tenant/members')
export class MembersController {
  constructor(private readonly members: MembersService) {}

  @TenantRole('tenant_admin')
  @Get()
  @ApiOperation({ summary: "The tenant's members, by e-mail (tenant admins)" })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  @ApiQuery({ name: 'after', required: false, description: 'the `next` of the previous page' })
  @ApiOkResponse({ schema: apiSchema(memberPageView) })
  async list(
    @Query(new ZodValidationPipe(listQuery)) query: z.infer<typeof listQuery>,
  ): Promise<MemberPageView> {
    const page = await this.members.list(query.limit, query.after);
    return { items: page.items.map(view), next: page.next };
  }

  @Get('me')
  @ApiOperation({ summary: "The caller's own member row in this tenant" })
  @ApiOkResponse({ schema: apiSchema(memberView) })
  async me(@CurrentActor() actor: Actor): Promise<MemberView> {
    const member = await this.members.get(actor.membership!.memberId);
    if (!member) throw ProblemException.notFound('No member row.');
    return view(member);
  }
}
