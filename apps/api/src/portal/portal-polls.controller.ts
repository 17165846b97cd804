import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentActor, Public, SignedIn, type Actor } from '@allmende/auth';
import { GroupAccess } from '@allmende/content';
import { ProblemException } from '@allmende/core';
import { answersBody, finaliseBody, idParam, PollsService, type PollView } from '@allmende/polls';
import { groupHeading, groupTabs } from './portal-group-tabs';
import { PortalView } from './portal-view';
import { type FormBody, formText, parseForm } from './portal-forms';

const ANSWERS = ['yes', 'maybe', 'no'] as const;

/**
 * A group's date polls in the portal: the list, the poll with its answer grid (one row per
 * option: yes / maybe / no) and, for its author and the group admins, finalising into an
 * event. Everything goes through PollsService.
 */
@ApiExcludeController()
@Controller('t/:tenant/g/:group')
export class PortalPollsController {
  constructor(
    private readonly view: PortalView,
    private readonly polls: PollsService,
    private readonly access: GroupAccess,
  ) {}

  @Public()
  @Get('polls')
  async list(
    @Param('group') group: string,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const context = await this.view.context(request, response, actor);
    const access = await this.access.require(actor, group, 'polls');
    const page = await this.polls.listPolls(actor, group, { limit: 50 });
    const visible = context.groups.find((candidate) => candidate.id === access.group.id)!;
    const base = `${context.community.href}/g/${access.group.key}/polls`;
    this.view.send(
      response,
      context,
      'polls-list',
      {
        tabs: groupTabs(context, visible, 'polls'),
        groupName: groupHeading(context, visible),
        polls: page.items.map((poll) => ({
          id: poll.id,
          href: `${base}/${poll.id}`,
          title: poll.title,
          closed: poll.closed,
          finalised: !!poll.finalisedOptionId,
          participants: poll.participants,
        })),
      },
      { titleKey: 'portal.module.polls', currentGroup: access.group.key },
    );
  }

  @Public()
  @Get('polls/:poll')
  async poll(
    @Param('group') group: string,
    @Param('poll') id: string,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    if (!idParam.safeParse(id).success) throw ProblemException.notFound('No such poll.');
    const context = await this.view.context(request, response, actor);
    const access = await this.access.require(actor, group, 'polls');
    const poll = await this.polls.getPoll(actor, group, id);
    const visible = context.groups.find((candidate) => candidate.id === access.group.id)!;
    const base = `${context.community.href}/g/${access.group.key}`;
    const open = !poll.closed;
    this.view.send(
      response,
      context,
      'polls-poll',
      {
        tabs: groupTabs(context, visible, 'polls'),
        groupName: groupHeading(context, visible),
        poll: pollItem(poll),
        answerAction: open && access.canWrite ? `${base}/polls/${poll.id}/answers` : undefined,
        // A hint only: PollsService decides who may finalise.
        finaliseAction:
          !poll.finalisedOptionId && (poll.mine || access.canModerate)
            ? `${base}/polls/${poll.id}/finalise`
            : undefined,
        eventHref: poll.finalisedEventId ? `${base}/events/${poll.finalisedEventId}` : undefined,
        listHref: `${base}/polls`,
      },
      { titleKey: 'portal.module.polls', currentGroup: access.group.key },
    );
  }

  /** The answer grid's target: the whole set of answers (options left out are unanswered). */
  @SignedIn()
  @Post('polls/:poll/answers')
  async answer(
    @Param('tenant') tenant: string,
    @Param('group') group: string,
    @Param('poll') id: string,
    @Body() body: FormBody,
    @CurrentActor() actor: Actor,
    @Res() response: Response,
  ): Promise<void> {
    if (!idParam.safeParse(id).success) throw ProblemException.notFound('No such poll.');
    // One radio group per option, named `option-<id>`.
    const answers = Object.entries(body)
      .filter(([name, value]) => name.startsWith('option-') && typeof value === 'string' && value)
      .map(([name, value]) => ({ optionId: name.slice('option-'.length), answer: value }));
    const poll = await this.polls.answer(actor, group, id, parseForm(answersBody, { answers }));
    response.redirect(303, `${pollHref(tenant, poll)}#answers`);
  }

  /** Finalising: the chosen option becomes an event of the group. */
  @SignedIn()
  @Post('polls/:poll/finalise')
  async finalise(
    @Param('tenant') tenant: string,
    @Param('group') group: string,
    @Param('poll') id: string,
    @Body() body: FormBody,
    @CurrentActor() actor: Actor,
    @Res() response: Response,
  ): Promise<void> {
    if (!idParam.safeParse(id).success) throw ProblemException.notFound('No such poll.');
    const place = formText(body.place).trim();
    const poll = await this.polls.finalise(
      actor,
      group,
      id,
      parseForm(finaliseBody, { optionId: formText(body.optionId), place: place || null }),
    );
    response.redirect(303, pollHref(tenant, poll));
  }
}

function pollItem(poll: PollView) {
  return {
    id: poll.id,
    title: poll.title,
    descriptionHtml: poll.descriptionHtml,
    closed: poll.closed,
    closesAt: poll.closesAt,
    participants: poll.participants,
    options: poll.options.map((option) => ({
      id: option.id,
      startsAt: option.startsAt,
      endsAt: option.endsAt,
      yes: option.yes,
      maybe: option.maybe,
      no: option.no,
      finalised: option.id === poll.finalisedOptionId,
      choices: ANSWERS.map((answer) => ({
        answer,
        labelKey: `portal.polls.answer.${answer}`,
        checked: option.myAnswer === answer,
      })),
    })),
  };
}

function pollHref(tenant: string, poll: PollView): string {
  return `/t/${encodeURIComponent(tenant)}/g/${encodeURIComponent(poll.group.key)}/polls/${poll.id}`;
}
