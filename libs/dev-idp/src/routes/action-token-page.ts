import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorMessage, escapeHtml, page } from '../html';
import { readForm, redirect, sendHtml } from '../http-io';
import type { ActionToken, Invitations } from '../invitations';
import type { Realm } from '../realm';

function setupForm(action: string, key: string, token: ActionToken, email: string, error?: string): string {
  const setsPassword = token.actions.includes('UPDATE_PASSWORD');
  const passwordFields = setsPassword
    ? `  <label for="password-new">Neues Passwort</label>
  <input id="password-new" name="password-new" type="password" autocomplete="new-password" required${error ? ' aria-invalid="true" aria-describedby="input-error"' : ''} autofocus>
  <label for="password-confirm">Passwort bestätigen</label>
  <input id="password-confirm" name="password-confirm" type="password" autocomplete="new-password" required${error ? ' aria-invalid="true" aria-describedby="input-error"' : ''}>`
    : '';
  return page(
    setsPassword ? 'Konto einrichten' : 'E-Mail-Adresse bestätigen',
    `<p>Konto: <strong>${escapeHtml(email)}</strong></p>
${errorMessage(error)}
<form id="kc-action-form" method="post" action="${escapeHtml(action)}" novalidate>
  <input type="hidden" name="key" value="${escapeHtml(key)}">
${passwordFields}
  <button type="submit">${setsPassword ? 'Passwort speichern' : 'Bestätigen'}</button>
</form>`,
  );
}

function expiredLinkPage(res: ServerResponse): void {
  sendHtml(
    res,
    400,
    page(
      'Link ungültig',
      '<p>Dieser Link ist abgelaufen oder wurde bereits verwendet. Bitten Sie um eine neue Einladung.</p>',
    ),
  );
}

/**
 * `/login-actions/action-token?key=...`: the page behind an invitation e-mail's link. It sets
 * the password (asked twice) and marks the e-mail address verified, as the link's actions say,
 * then sends the person to the link's redirect URI (or says it is done). A key works once.
 */
export async function handleActionTokenPage(
  realm: Realm,
  invitations: Invitations,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const form = req.method === 'POST' ? await readForm(req) : undefined;
  const key = form?.get('key') ?? url.searchParams.get('key') ?? '';
  const token = invitations.find(key);
  const user = token ? realm.users.findById(token.userId) : undefined;
  if (!token || !user) return expiredLinkPage(res);

  const action = `${url.pathname}?${new URLSearchParams({ key })}`;
  if (!form) {
    sendHtml(res, 200, setupForm(action, key, token, user.email));
    return;
  }

  let password: string | undefined;
  if (token.actions.includes('UPDATE_PASSWORD')) {
    password = form.get('password-new') ?? '';
    const problem = !password
      ? 'Bitte geben Sie ein Passwort ein.'
      : password !== form.get('password-confirm')
        ? 'Die Passwörter stimmen nicht überein.'
        : undefined;
    if (problem) {
      sendHtml(res, 200, setupForm(action, key, token, user.email, problem));
      return;
    }
  }

  invitations.consume(key);
  await realm.users.completeActions(user.id, {
    password,
    verifyEmail: token.actions.includes('VERIFY_EMAIL'),
  });
  if (token.redirectUri) {
    redirect(res, token.redirectUri);
    return;
  }
  sendHtml(
    res,
    200,
    page('Konto eingerichtet', '<p>Ihr Konto ist eingerichtet. Sie können sich jetzt anmelden.</p>'),
  );
}
