/**
 * The Content-Security-Policy of the management UI's pages, sent with every app:// response. It is
 * the policy renderer/index.html carries (and the hub sends when it serves the same files over
 * HTTP): scripts and styles only from the app itself, no inline script, nothing framed, no plugins,
 * no form posts, no <base>. Plus frame-ancestors, which only works as a header.
 */
export const APP_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
