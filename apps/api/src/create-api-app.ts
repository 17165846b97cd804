import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { PortalPages } from '@allmende/auth';
import { ProblemDetailsFilter, type AppConfig } from '@allmende/core';
import { AppModule } from './app.module';
import { PortalErrorFilter } from './portal/portal-error.filter';
import { applyPortalSecurity } from './portal/portal-security';

/** The configured API application, not yet listening (tests use it as it is). */
export async function createApiApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  // Portal pages answer errors as pages; everything else as problem+json.
  app.useGlobalFilters(new PortalErrorFilter(app.get(PortalPages), new ProblemDetailsFilter()));
  app.disable('x-powered-by');
  app.set('trust proxy', trustProxy(config.TRUST_PROXY));
  applyPortalSecurity(app);

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Allmende API')
      .setDescription('Multi-tenant community platform: tenants, groups and their modules.')
      .setVersion(process.env.npm_package_version ?? '0.1.0')
      .addBearerAuth(
        { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        // Swagger's default name, which @ApiBearerAuth() refers to.
        'bearer',
      )
      .setLicense('EUPL-1.2', 'https://interoperable-europe.ec.europa.eu/collection/eupl/eupl-text-eupl-12')
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  return app;
}

/**
 * Express's `trust proxy` from TRUST_PROXY: a number of hops (`1`), `true`, or addresses and
 * names (`loopback, 10.0.0.0/8`). Default: proxies on this machine and private networks.
 */
function trustProxy(value: string | undefined): boolean | number | string {
  if (value === undefined) return 'loopback, linklocal, uniquelocal';
  if (/^\d+$/.test(value)) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  return value;
}
