import { onLang, t } from './i18n.js';
import { claimsOf, storedToken, storeToken, takeTokenFromFragment } from './token.js';

/**
 * The token field of a page: picks up `#token=` from the address, lets one paste or forget a
 * token, and says whom the page acts as. `onChange` runs whenever the token changes.
 */
export function tokenForm(form: HTMLFormElement, key: string, onChange: () => void): () => string | null {
  takeTokenFromFragment(key);
  const input = form.querySelector<HTMLInputElement>('input[name=token]')!;
  const who = form.querySelector<HTMLElement>('[data-role=who]')!;
  const forget = form.querySelector<HTMLButtonElement>('button[data-action=forget]')!;
  const render = () => {
    const token = storedToken(key);
    const claims = token ? claimsOf(token) : null;
    if (!token) who.textContent = t('token.none');
    else if (claims?.exp && claims.exp * 1000 < Date.now()) who.textContent = t('token.expired');
    else {
      const role = claims?.role === 'staff' || claims?.role === 'admin' ? claims.role : 'member';
      who.textContent = t('token.as', { who: t(`role.${role}`, { sub: claims?.sub ?? '?' }) });
    }
    forget.hidden = !token;
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    storeToken(key, input.value);
    input.value = '';
    render();
    onChange();
  });
  forget.addEventListener('click', () => {
    storeToken(key, '');
    render();
    onChange();
  });
  onLang(render);
  return () => storedToken(key);
}
