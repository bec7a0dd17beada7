/**
 * What a message may show of a Redis password: nothing, without garbling the rest. A password reaches a
 * message inside a URL (ours, or one a library quotes), so the userinfo of every redis:// or rediss:// URL
 * is masked, whatever the password is. Redis and ioredis never quote a password on its own (a refused AUTH
 * is "WRONGPASS invalid username-password pair", "NOAUTH ..." or "ERR invalid password"), and masking
 * every occurrence of a short string garbles words and so tells the reader the password (with `e`,
 * "username" would read "us***rnam***"). A bare occurrence is masked, as a backstop, only when it is a whole
 * token and long enough that it cannot be an ordinary word.
 */

/** Shorter passwords are masked only inside URLs: as bare text they match ordinary words. */
export const MIN_BARE_MASK = 8;

const URL_TOKEN = /\brediss?:\/\/[^\s"'<>`]*/gi;

/** Every redis:// and rediss:// URL in `text` with its password (userinfo and ?password=) replaced by ***. */
export function redactUrls(text: string): string {
  return text.replace(URL_TOKEN, (url) => {
    const scheme = url.indexOf('//') + 2;
    const at = url.lastIndexOf('@'); // a password may hold an unencoded "@" or "/": the host follows the last "@"
    let out = url;
    if (at > scheme) {
      const userinfo = url.slice(scheme, at);
      const colon = userinfo.indexOf(':');
      // no colon: a user name alone, which ioredis sends with no password
      if (colon >= 0) out = `${url.slice(0, scheme)}${userinfo.slice(0, colon)}:***${url.slice(at)}`;
    }
    return out.replace(/([?&]password=)[^&#]*/gi, '$1***');
  });
}

/** `text` with `password` masked where it stands alone as a token (see MIN_BARE_MASK). */
export function redactBare(text: string, password: string | null): string {
  if (password === null || password.length < MIN_BARE_MASK) return text;
  let out = text;
  for (const form of new Set([password, encodeURIComponent(password)])) {
    const escaped = form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    out = out.replace(new RegExp(`(^|[\\s"'(\\[{<,;:=])${escaped}(?=$|[\\s"')\\]}>,;:.])`, 'g'), '$1***');
  }
  return out;
}
