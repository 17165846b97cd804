import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentActor, TenantRole, type Actor } from '@allmende/auth';
import {
  GROUP_VISIBILITIES,
  groupSettingsBody,
  GroupsService,
  JOIN_POLICIES,
  type Group,
} from '@allmende/groups';
import { adminBase, adminNav, JOIN_POLICY_KEYS, refusal, VISIBILITY_KEYS } from './portal-admin';
import { type FieldInfo, type FormBody, formState, formText, parseForm } from './portal-forms';
import { groupName } from './portal-groups';
import { PortalView, type PortalContext } from './portal-view';

const field = (id: string, name: string): FieldInfo => ({
  id,
  labelKey: `portal.admin.groups.field.${name}`,
  errorKey: `portal.admin.groups.errors.${name}`,
});

/** The settings form's fields, by the path the schema reports them under. */
const FIELDS: Record<string, FieldInfo> = {
  'name.de': field('group-name-de', 'nameDe'),
  'name.en': field('group-name-en', 'nameEn'),
  'description.de': field('group-description-de', 'descriptionDe'),
  'description.en': field('group-description-en', 'descriptionEn'),
  visibility: field('group-visibility-public', 'visibility'),
  joinPolicy: field('group-join-open', 'joinPolicy'),
};

type Values = Record<
  'nameDe' | 'nameEn' | 'descriptionDe' | 'descriptionEn' | 'visibility' | 'joinPolicy',
  string
>;

/**
 * Tenant admins: every group of the community (also those they are not in) with its
 * visibility, join policy and counts, and the settings form (GroupsService, audited).
 */
@ApiExcludeController()
@TenantRole('tenant_admin')
@Controller('t/:tenant/admin/groups')
export class PortalAdminGroupsController {
  constructor(
    private readonly view: PortalView,
    private readonly groups: GroupsService,
  ) {}

  @Get()
  async list(
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const context = await this.view.context(request, response, actor);
    const base = `${adminBase(context)}/groups`;
    const overview = await this.groups.overview();
    this.view.send(
      response,
      context,
      'admin-groups',
      {
        nav: adminNav(context, 'groups'),
        groups: overview.map(({ group, members, pendingRequests }) => ({
          key: group.key,
          name: groupName(group.name, context.locale),
          visibilityKey: VISIBILITY_KEYS[group.visibility],
          joinPolicyKey: JOIN_POLICY_KEYS[group.joinPolicy],
          members,
          pendingRequests,
          editHref: `${base}/${encodeURIComponent(group.key)}`,
          pageHref: `${context.community.href}/g/${encodeURIComponent(group.key)}`,
        })),
        moderationHref: `${adminBase(context)}/moderation`,
      },
      { titleKey: 'portal.admin.groups.title' },
    );
  }

  @Get(':group')
  async edit(
    @Param('group') key: string,
    @Query('saved') saved: unknown,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const context = await this.view.context(request, response, actor);
    const group = await this.groups.get(key);
    this.render(context, response, group, valuesOf(group), { saved: saved === '1' });
  }

  /** The settings form's target: saved, then the form again with a notice; refused: the form (400). */
  @Post(':group')
  async save(
    @Param('group') key: string,
    @Body() body: FormBody,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const values: Values = {
      nameDe: formText(body.nameDe).trim(),
      nameEn: formText(body.nameEn).trim(),
      descriptionDe: formText(body.descriptionDe).trim(),
      descriptionEn: formText(body.descriptionEn).trim(),
      visibility: formText(body.visibility),
      joinPolicy: formText(body.joinPolicy),
    };
    let group: Group;
    try {
      group = await this.groups.updateSettings(
        actor,
        key,
        parseForm(groupSettingsBody, {
          name: { de: values.nameDe, en: values.nameEn || undefined },
          description:
            values.descriptionDe || values.descriptionEn
              ? { de: values.descriptionDe, en: values.descriptionEn || undefined }
              : null,
          visibility: values.visibility,
          joinPolicy: values.joinPolicy,
        }),
      );
    } catch (error) {
      const problem = refusal(error, [400]);
      if (!problem) throw error;
      const context = await this.view.context(request, response, actor);
      const current = await this.groups.get(key);
      return this.render(context, response, current, values, { problems: problem.problem.errors ?? [] });
    }
    response.redirect(
      303,
      `/t/${encodeURIComponent(request.tenant!.slug)}/admin/groups/${encodeURIComponent(group.key)}?saved=1`,
    );
  }

  private render(
    context: PortalContext,
    response: Response,
    group: Group,
    values: Values,
    options: { saved?: boolean; problems?: { path: string; message: string }[] },
  ): void {
    const state = formState(FIELDS, options.problems);
    const invalid = (path: string) => state.invalid[path] ?? false;
    this.view.send(
      response,
      context,
      'admin-group',
      {
        nav: adminNav(context, 'groups'),
        group: {
          key: group.key,
          name: groupName(group.name, context.locale),
          pageHref: `${context.community.href}/g/${encodeURIComponent(group.key)}`,
        },
        listHref: `${adminBase(context)}/groups`,
        saved: options.saved,
        form: {
          action: `${adminBase(context)}/groups/${encodeURIComponent(group.key)}`,
          values,
          errors: state.errors,
          invalid: {
            nameDe: invalid('name.de'),
            nameEn: invalid('name.en'),
            descriptionDe: invalid('description.de'),
            descriptionEn: invalid('description.en'),
            visibility: invalid('visibility'),
            joinPolicy: invalid('joinPolicy'),
          },
          visibilities: GROUP_VISIBILITIES.map((value) => ({
            value,
            labelKey: VISIBILITY_KEYS[value],
            hintKey: `${VISIBILITY_KEYS[value]}Hint`,
            checked: values.visibility === value,
          })),
          joinPolicies: JOIN_POLICIES.map((value) => ({
            value,
            labelKey: JOIN_POLICY_KEYS[value],
            hintKey: `${JOIN_POLICY_KEYS[value]}Hint`,
            checked: values.joinPolicy === value,
          })),
        },
      },
      {
        titleKey: 'portal.admin.groups.editTitle',
        titleParams: { name: groupName(group.name, context.locale) },
        status: options.problems ? 400 : 200,
      },
    );
  }
}

function valuesOf(group: Group): Values {
  return {
    nameDe: group.name.de,
    nameEn: group.name.en ?? '',
    descriptionDe: group.description?.de ?? '',
    descriptionEn: group.description?.en ?? '',
    visibility: group.visibility,
    joinPolicy: group.joinPolicy,
  };
}
