import { Module } from '@nestjs/common';
import { AuthModule } from '@allmende/auth';
import { BookingModule } from '@allmende/booking';
import { CalendarModule } from '@allmende/calendar';
import { DiscussionsService, HiddenDiscussions } from '@allmende/discussions';
import { EventsModule } from '@allmende/events';
import { FilesModule } from '@allmende/files';
import { GroupsModule } from '@allmende/groups';
import { ListingsService } from '@allmende/listings';
import { MemberInvitationService } from '@allmende/member-lists';
import { MembersService } from '@allmende/members';
import { NewsCommentsService, NewsService } from '@allmende/news';
import { NotificationsModule } from '@allmende/notifications';
import { PollsService } from '@allmende/polls';
import { TenantsModule } from '@allmende/tenants';
import { VolunteeringService } from '@allmende/volunteering';
import { PortalAdminGroupsController } from './portal-admin-groups.controller';
import { PortalAdminMembersController } from './portal-admin-members.controller';
import { PortalAdminController } from './portal-admin.controller';
import { PortalBookingController } from './portal-booking.controller';
import { PortalBrandingController } from './portal-branding.controller';
import { PortalDiscussionsController } from './portal-discussions.controller';
import { PortalEventsController } from './portal-events.controller';
import { PortalFilesController } from './portal-files.controller';
import { PortalGroups } from './portal-groups';
import { PortalHome } from './portal-home';
import { PortalHomeController } from './portal-home.controller';
import { PortalListingsController } from './portal-listings.controller';
import { PortalMeController } from './portal-me.controller';
import { PortalModulePlaceholderController } from './portal-module-placeholder.controller';
import { PortalNewsController } from './portal-news.controller';
import { PortalNotificationsController } from './portal-notifications.controller';
import { PortalPollsController } from './portal-polls.controller';
import { PortalView } from './portal-view';
import { PortalVolunteeringController } from './portal-volunteering.controller';

/**
 * The tenant web portal: server-rendered pages under `/t/:tenant/…` (docs/portal.md). The
 * tenant scope and the Actor come from the same middleware and guards as the REST API.
 *
 * Controllers are registered in this order, and Express matches routes in registration
 * order: a module's portal controller goes BEFORE PortalModulePlaceholderController, which
 * answers `/t/:tenant/g/:group/:module` for the modules without pages yet.
 */
@Module({
  imports: [
    AuthModule,
    TenantsModule,
    GroupsModule,
    EventsModule,
    BookingModule,
    CalendarModule,
    NotificationsModule,
    FilesModule,
  ],
  controllers: [
    PortalHomeController,
    PortalBrandingController,
    PortalNotificationsController,
    PortalMeController,
    PortalNewsController,
    PortalVolunteeringController,
    PortalListingsController,
    PortalBookingController,
    PortalEventsController,
    PortalPollsController,
    PortalDiscussionsController,
    PortalFilesController,
    PortalAdminController,
    PortalAdminMembersController,
    PortalAdminGroupsController,
    // Last: see above.
    PortalModulePlaceholderController,
  ],
  providers: [
    PortalView,
    PortalGroups,
    PortalHome,
    // Not exported by their modules (stateless: a second instance is harmless).
    NewsService,
    NewsCommentsService,
    PollsService,
    VolunteeringService,
    ListingsService,
    DiscussionsService,
    HiddenDiscussions,
    MembersService,
    MemberInvitationService,
  ],
})
export class PortalModule {}
