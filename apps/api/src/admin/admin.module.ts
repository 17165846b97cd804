import { Module } from '@nestjs/common';
import { QueueDashboardController } from './queue-dashboard.controller';

/** Operators' tools on the API: the queue dashboard at /admin/queues (platform admins only). */
@Module({ controllers: [QueueDashboardController] })
export class AdminModule {}
