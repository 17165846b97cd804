import { Module } from '@nestjs/common';
import { GroupVolunteeringController } from './group-volunteering.controller';
import { TenantVolunteeringController } from './tenant-volunteering.controller';
import { VolunteeringCalendar } from './volunteering-calendar';
import { VolunteeringService } from './volunteering.service';

/** The volunteering group module ("Mach mit!"): calls, shifts, items, pledges; shifts in member calendars. */
@Module({
  controllers: [GroupVolunteeringController, TenantVolunteeringController],
  providers: [VolunteeringService, VolunteeringCalendar],
})
export class VolunteeringModule {}
