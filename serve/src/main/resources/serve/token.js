// A server bound beyond loopback needs a bearer token (serve.api.token.env). The pages carry no data, so they
// are served without it; open them as /dashboard#token=<token> (a fragment never reaches the server or its
// logs) and every fetch sends the token. It is kept for this tab only and taken out of the address bar.
const CRS_TOKEN_KEY = 'crs-token';
function crsTakeToken() {
  const m = location.hash.match(/(?:^#|&)token=([^&]+)/);
  if (m) {
    sessionStorage.setItem(CRS_TOKEN_KEY, decodeURIComponent(m[1]));
    history.replaceState(null, '', location.pathname + location.search);
  }
}
crsTakeToken();
// the fragment added to an open page (after its 401) loads nothing, so it is taken when it changes too
window.addEventListener('hashchange', crsTakeToken);

// fetch with the token, when the page was given one; a 401 says how to give it
async function crsFetch(path, options) {
  const opts = Object.assign({}, options || {});
  const token = sessionStorage.getItem(CRS_TOKEN_KEY);
  if (token) opts.headers = Object.assign({}, opts.headers || {}, {'Authorization': 'Bearer ' + token});
  const res = await fetch(path, opts);
  if (res.status === 401) {
    throw new Error('this server needs a token: open the page as ' + location.pathname + '#token=<token>');
  }
  return res;
}
