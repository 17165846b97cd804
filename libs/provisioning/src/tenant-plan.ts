import type {
  BookableResourceTemplate,
  GroupModules,
  TemplateGroup,
  TenantTemplate,
} from '@allmende/templates';

/** One module of a group as provisioning stores it: its name and settings. */
export interface PlannedModule {
  module: keyof GroupModules;
  settings: Record<string, unknown>;
}

/** The modules a template group switches on, in the template's order. */
export function plannedModules(group: TemplateGroup): PlannedModule[] {
  return Object.entries(group.modules)
    .filter(([, settings]) => settings !== undefined)
    .map(([module, settings]) => {
      // Booking resources become rows of their own; the module keeps the other settings.
      if (module === 'booking') {
        const { resources: _resources, ...rest } = settings as NonNullable<GroupModules['booking']>;
        return { module: 'booking', settings: rest };
      }
      return { module: module as keyof GroupModules, settings: settings as Record<string, unknown> };
    });
}

export function plannedResources(group: TemplateGroup): BookableResourceTemplate[] {
  return group.modules.booking?.resources ?? [];
}

/** A readable plan of what a template sets up (for --dry-run and `template show`). */
export function describePlan(template: TenantTemplate): string[] {
  const lines: string[] = [];
  for (const group of template.groups) {
    const modules = plannedModules(group).map((planned) => planned.module);
    lines.push(
      `  ${group.key}  "${group.name.de}"  ${group.visibility}/${group.joinPolicy}  [${modules.join(', ')}]`,
    );
    for (const resource of plannedResources(group)) {
      lines.push(`    resource ${resource.key}  "${resource.name.de}"`);
    }
  }
  return lines;
}
