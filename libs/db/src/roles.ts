/**
 * The two database roles. The owner runs migrations and owns every table; the app role
 * (used by api and worker) owns nothing and has no BYPASSRLS, so every row it touches
 * passes the tenant policies.
 */
export const OWNER_ROLE = 'allmende_owner';
export const APP_ROLE = 'allmende_app';
