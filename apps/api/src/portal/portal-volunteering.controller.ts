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
import { type FormBody } from './portal-forms';

const CALL_PAGE_SIZE = 20;

/**
 * "Mach mit!" in the portal: a group's calls for help, a call's page with its shifts and
 * items and their live counts, and plain pledge and withdraw forms. Every read and write goes
 * through VolunteeringService, so the REST API's rules (capacity, closed calls, over shifts)
 * apply unchanged; a refused pledge (409) is shown on the portal's error page. With htmx the
 * forms swap only the shift's or item's block (see `act`); without JavaScript they post and
 * redirect (303) as before.
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
    await this.act(request, response, actor, group, callId, { shift: shiftId }, () =>
      this.volunteering.pledgeShift(actor, group, callId, shiftId),
    );
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
    await this.act(request, response, actor, group, callId, { shift: shiftId }, () =>
      this.volunteering.withdrawShift(actor, group, callId, shiftId),
    );
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
    await this.act(request, response, actor, group, callId, { item: itemId }, () => {
      const quantity = typeof body.quantity === 'string' ? Number(body.quantity) : NaN;
      const parsed = itemPledgeBody.safeParse({ quantity });
      if (!parsed.success) {
        throw ProblemException.validation(
          parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
        );
      }
      return this.volunteering.pledgeItem(actor, group, callId, itemId, parsed.data);
    });
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
    await this.act(request, response, actor, group, callId, { item: itemId }, () =>
      this.volunteering.withdrawItem(actor, group, callId, itemId),
    );
  }

  /**
   * A pledge or withdrawal. Without JavaScript: back to the call's page (303), at the shift or
   * item changed; a refusal goes to the portal's error page. With htmx (`HX-Request: true`):
   * only that shift's or item's block with its new counts, and after a refusal (400, 409:
   * e.g. taken meanwhile) the block as it is now with a notice, so the page stays usable.
   */
  private async act(
    request: Request,
    response: Response,
    actor: Actor,
    group: string,
    callId: string,
    need: { shift: string } | { item: string },
    action: () => Promise<CallView>,
  ): Promise<void> {
    const htmx = request.get('HX-Request') === 'true';
    response.vary('HX-Request');
    let call: CallView;
    let refused = false;
    try {
      call = await action();
    } catch (error) {
      const status = error instanceof ProblemException ? error.problem.status : 0;
      if (!htmx || (status !== 400 && status !== 409)) throw error;
      call = await this.volunteering.getCall(actor, group, callId);
      refused = true;
    }
    if (!htmx)
      return backToCall(
        request,
        response,
        call,
        'shift' in need ? `shift-${need.shift}` : `item-${need.item}`,
      );
    const context = await this.view.context(request, response, actor);
    const page = callPage(
      call,
      `${context.community.href}/g/${encodeURIComponent(call.group.key)}/volunteering`,
      context,
    );
    const shift = 'shift' in need ? page.shifts.find((candidate) => candidate.id === need.shift) : undefined;
    const item = 'item' in need ? page.items.find((candidate) => candidate.id === need.item) : undefined;
    if (!shift && !item) throw ProblemException.notFound('No such shift or item.');
    this.view.sendFragment(response, context, 'volunteering-need', {
      // `swapped`: the block's button takes the focus (htmx honours autofocus), so keyboard
      // and screen-reader users stay where they were when the button they pressed is replaced.
      shift: shift && { ...shift, refused, swapped: true },
      item: item && { ...item, refused, swapped: true },
    });
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
