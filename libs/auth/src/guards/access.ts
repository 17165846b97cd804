import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { ACCESS_KEY, type Access } from '../decorators';

/** The route's access rule (handler before class); none means "a member of the tenant" / "signed in". */
export function accessOf(reflector: Reflector, context: ExecutionContext): Access | undefined {
  return reflector.getAllAndOverride<Access | undefined>(ACCESS_KEY, [
    context.getHandler(),
    context.getClass(),
  ]);
}
