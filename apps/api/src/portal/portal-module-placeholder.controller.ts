import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentActor, Public, type Actor } from '@allmende/auth';
import { ProblemException } from '@allmende/core';
import { GROUP_MODULE_NAMES, type GroupModuleName } from '@allmende/groups';
import { groupHeading, groupTabs } from './portal-group-tabs';
import { PortalView } from './portal-view';

/**
 * The tab of a module whose portal pages are not built yet: a plain "not yet in the portal"
 * page in the portal's look, so every tab leads somewhere. Registered LAST in PortalModule:
 * a module's own controller, listed before it, takes `/t/:tenant/g/:group/<module>` first.
 */
@ApiExcludeController()
@Controller('t/:tenant/g/:group')
export class PortalModulePlaceholderController {
  constructor(private readonly view: PortalView) {}

  @Public()
  @Get(':module')
  async placeholder(
    @Param('group') group: string,
    @Param('module') module: string,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const context = await this.view.context(request, response, actor);
    const visible = context.groups.find((candidate) => candidate.key === group.toLowerCase());
    const known = (GROUP_MODULE_NAMES as readonly string[]).includes(module);
    if (!visible || !known || !visible.modules.includes(module as GroupModuleName)) {
      throw ProblemException.notFound(`No ${module} in group "${group}".`);
    }
    this.view.send(
      response,
      context,
      'placeholder',
      {
        tabs: groupTabs(context, visible, module as GroupModuleName),
        groupName: groupHeading(context, visible),
      },
      { titleKey: 'portal.placeholder.title', currentGroup: visible.key },
    );
  }
}
