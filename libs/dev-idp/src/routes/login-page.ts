import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { errors, type Interaction } from 'oidc-provider';
import { errorMessage, escapeHtml, page } from '../html';
import { readForm, sendHtml } from '../http-io';
import type { Realm } from '../realm';

/** Keycloak's message: it never says whether the username or the password was wrong. */
const INVALID_CREDENTIALS = 'Ungültiger Benutzername oder Passwort.';

function loginForm(action: string, username: string, error?: string): string {
  return page(
    'Anmelden',
    `${errorMessage(error)}
<form id="kc-form-login" method="post" action="${escapeHtml(action)}" novalidate>
  <label for="username">Benutzername oder E-Mail-Adresse</label>
  <input id="username" name="username" type="text" value="${escapeHtml(username)}" autocomplete="username"
    autocapitalize="none" spellcheck="false" required${error ? ' aria-invalid="true" aria-describedby="input-error"' : ' autofocus'}>
  <label for="password">Passwort</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required${error ? ' aria-invalid="true" aria-describedby="input-error" autofocus' : ''}>
  <button id="kc-login" name="login" type="submit">Anmelden</button>
</form>`,
  );
}

function expiredPage(res: ServerResponse): void {
  sendHtml(
    res,
    400,
    page(
      'Anmeldung abgelaufen',
      '<p>Diese Anmeldung ist abgelaufen oder wurde in einem anderen Fenster fortgesetzt. Bitte kehren Sie zur Anwendung zurück und melden Sie sich erneut an.</p>',
    ),
  );
}

/** Consent is granted without asking (see grantWithoutConsent); this covers a consent prompt all the same. */
async function grantConsent(provider: Provider, interaction: Interaction): Promise<string> {
  const accountId = interaction.session!.accountId;
  const clientId = String(interaction.params.client_id);
  const grant = interaction.grantId
    ? ((await provider.Grant.find(interaction.grantId)) ?? new provider.Grant({ accountId, clientId }))
    : new provider.Grant({ accountId, clientId });
  const details = interaction.prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope);
  if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes);
  }
  return grant.save();
}

/**
 * `/login-actions/authenticate`: oidc-provider's interaction URL, Keycloak's login form. Username or
 * e-mail and password; wrong credentials give the form again (HTTP 200, as Keycloak).
 */
export async function handleLoginPage(
  realm: Realm,
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  let interaction: Interaction;
  try {
    interaction = await provider.interactionDetails(req, res);
  } catch (error) {
    if (error instanceof errors.SessionNotFound) return expiredPage(res);
    throw error;
  }
  // The form belongs to one authorization request: a form of an older one in another tab does not count.
  if (url.searchParams.get('tab_id') !== interaction.uid) return expiredPage(res);

  if (interaction.prompt.name === 'consent') {
    const grantId = await grantConsent(provider, interaction);
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return;
  }

  const action = `${url.pathname}${url.search}`;
  if (req.method !== 'POST') {
    const loginHint = typeof interaction.params.login_hint === 'string' ? interaction.params.login_hint : '';
    sendHtml(res, 200, loginForm(action, loginHint));
    return;
  }

  const form = await readForm(req);
  const username = form.get('username') ?? '';
  const user = await realm.users.authenticate(username, form.get('password') ?? '');
  if (!user) {
    sendHtml(res, 200, loginForm(action, username, INVALID_CREDENTIALS));
    return;
  }
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId: user.id } },
    { mergeWithLastSubmission: false },
  );
}
