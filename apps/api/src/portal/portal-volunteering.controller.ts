import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentActor, Public, SignedIn, type Actor } from '@allmende/auth';
import { GroupAccess } from '@allmende/content';
import { ProblemException } from '@allmende/core';
import {
  callListQuery,
  idParam,
  itemPledgeBody,
  VolunteeringService,
  type CallView,
} from '@allmende/volunteering';
import { groupHeading, groupTabs } from './portal-group-tabs';
import type { PortalGroup } from './portal-groups';
import { PortalView, type PortalContext } from './portal-view';

/** Form fields arrive as strings (urlencoded). */
type FormBody = Record<string, string | string[] | undefined>;

const CALL_PAGE_SIZE = 20;

/**
 * "Mach mit!" in the portal: a group's calls for help, a call's page with its shifts and
 * items and their live counts, and plain pledge and withdraw forms. Every read and write goes
 * through VolunteeringService, so the REST API's rules (capacity, closed calls, over shifts)
 * apply unchanged; a refused pledge (409) is shown on the portal's error page.
 */
@ApiExcludeController()
@Controller('t/:tenant/g/:group/volunteering')
export class PortalVolunteeringController {
  constructor(
    private readonly view: PortalView,
    private readonly volunteering: VolunteeringService,
    private readonly access: GroupAccess,
  ) {}

  @Public()
  @Get()
  async list(
    @Param('group') group: string,
    @Query('cursor') cursor: unknown,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const context = await this.view.context(request, response, actor);
    const visible = await this.group(context, group);
    const query = callListQuery.safeParse({
      limit: CALL_PAGE_SIZE,
      cursor: typeof cursor === 'string' && cursor.length > 0 && cursor.length <= 500 ? cursor : undefined,
    });
    if (!query.success) throw ProblemException.notFound('No such page.');
    const page = await this.volunteering.listGroupCalls(actor, group, query.data);
    const base = `${context.community.href}/g/${visible.key}/volunteering`;
    this.view.send(
      response,
      context,
      'volunteering-list',
      {
        calls: page.items.map((call) => ({ ...call, href: `${base}/${call.id}` })),
        olderHref: page.nextCursor ? `${base}?cursor=${encodeURIComponent(page.nextCursor)}` : undefined,
        tabs: groupTabs(context, visible, 'volunteering'),
        groupName: groupHeading(context, visible),
      },
      { titleKey: 'portal.module.volunteering', currentGroup: visible.key },
    );
  }

  @Public()
  @Get(':call')
  async call(
    @Param('group') group: string,
    @Param('call') callId: string,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    if (!idParam.safeParse(callId).success) throw ProblemException.notFound('No such call.');
    const context = await this.view.context(request, response, actor);
    const visible = await this.group(context, group);
    const call = await this.volunteering.getCall(actor, group, callId);
    this.view.send(
      response,
      context,
      'volunteering-call',
      {
        call: callPage(call, `${context.community.href}/g/${visible.key}/volunteering`, context),
        tabs: groupTabs(context, visible, 'volunteering'),
        groupName: groupHeading(context, visible),
      },
      { titleKey: 'portal.module.volunteering', currentGroup: visible.key },
    );
  }

  @SignedIn()
  @Post(':call/shifts/:shift/pledge')
  async pledgeShift(
    @Param('group') group: string,
    @Param('call') callId: string,
    @Param('shift') shiftId: string,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    requireIds(callId, shiftId);
    const call = await this.volunteering.pledgeShift(actor, group, callId, shiftId);
    backToCall(request, response, call, `shift-${shiftId}`);
  }

  @SignedIn()
  @Post(':call/shifts/:shift/withdraw')
  async withdrawShift(
    @Param('group') group: string,
    @Param('call') callId: string,
    @Param('shift') shiftId: string,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    requireIds(callId, shiftId);
    const call = await this.volunteering.withdrawShift(actor, group, callId, shiftId);
    backToCall(request, response, call, `shift-${shiftId}`);
  }

  @SignedIn()
  @Post(':call/items/:item/pledge')
  async pledgeItem(
    @Param('group') group: string,
    @Param('call') callId: string,
    @Param('item') itemId: string,
    @Body() body: FormBody,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    requireIds(callId, itemId);
    const quantity = typeof body.quantity === 'string' ? Number(body.quantity) : NaN;
    const parsed = itemPledgeBody.safeParse({ quantity });
    if (!parsed.success) {
      throw ProblemException.validation(
        parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
      );
    }
    const call = await this.volunteering.pledgeItem(actor, group, callId, itemId, parsed.data);
    backToCall(request, response, call, `item-${itemId}`);
  }

  @SignedIn()
  @Post(':call/items/:item/withdraw')
  async withdrawItem(
    @Param('group') group: string,
    @Param('call') callId: string,
    @Param('item') itemId: string,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    requireIds(callId, itemId);
    const call = await this.volunteering.withdrawItem(actor, group, callId, itemId);
    backToCall(request, response, call, `item-${itemId}`);
  }

  /** The group as the page frame knows it, after GroupAccess allowed reading its calls. */
  private async group(context: PortalContext, group: string): Promise<PortalGroup> {
    const access = await this.access.require(context.actor, group, 'volunteering');
    return context.groups.find((candidate) => candidate.id === access.group.id)!;
  }
}

/** A call as its page shows it: the actions a reader may take, with their form targets. */
function callPage(call: CallView, base: string, context: PortalContext) {
  const href = `${base}/${call.id}`;
  const signedIn = Boolean(context.actor.membership);
  const open = call.status === 'open';
  const now = Date.now();
  return {
    ...call,
    href,
    listHref: base,
    authorName: `${call.author.givenName} ${call.author.familyName}`.trim(),
    open,
    shifts: call.shifts.map((shift) => {
      const over = new Date(shift.endsAt).getTime() <= now;
      return {
        ...shift,
        over,
        full: shift.helpersMissing === 0,
        pledgeAction:
          signedIn && open && !over && !shift.pledgedByMe && shift.helpersMissing > 0
            ? `${href}/shifts/${shift.id}/pledge`
            : undefined,
        withdrawAction: signedIn && shift.pledgedByMe ? `${href}/shifts/${shift.id}/withdraw` : undefined,
      };
    }),
    items: call.items.map((item) => ({
      ...item,
      pledgeAction:
        signedIn && open && item.myQuantity === 0 && item.quantityMissing > 0
          ? `${href}/items/${item.id}/pledge`
          : undefined,
      withdrawAction: signedIn && item.myQuantity > 0 ? `${href}/items/${item.id}/withdraw` : undefined,
    })),
    signInHint: !signedIn && open,
  };
}

function requireIds(...ids: string[]): void {
  if (ids.some((id) => !idParam.safeParse(id).success)) throw ProblemException.notFound('No such call.');
}

/** After a pledge or withdrawal: the call's page again (303), at the shift or item changed. */
function backToCall(request: Request, response: Response, call: CallView, anchor: string): void {
  const tenant = encodeURIComponent(String(request.params.tenant));
  response.redirect(
    303,
    `/t/${tenant}/g/${encodeURIComponent(call.group.key)}/volunteering/${call.id}#${anchor}`,
  );
}
