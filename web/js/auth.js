// Who is signed in. Locally, the stack's own sign-in mints a token for a demo user; deployed, the
// page signs in with Cognito's hosted sign-in (authorization code + PKCE). The session lives in
// sessionStorage: it ends with the tab, and the API's 401 ends it sooner.

import { config } from "./config.js";

const SESSION_KEY = "orderhelp.session";
const PKCE_KEY = "orderhelp.pkce";
const AGENTS_GROUP = "agents";

export class SignInError extends Error {}

export function session() {
  const stored = sessionStorage.getItem(SESSION_KEY);
  if (!stored) return null;
  try {
    return JSON.parse(stored);
  } catch {
    sessionStorage.removeItem(SESSION_KEY);
    return null;
  }
}

/** True when a stored session has run out (the API would answer 401). */
export function expired(current = session()) {
  return current !== null && Date.now() >= current.expires_at;
}

function save(accessToken, expiresIn, user) {
  const stored = {
    access_token: accessToken,
    expires_at: Date.now() + expiresIn * 1000,
    user,
  };
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(stored));
  return stored;
}

export function forget() {
  sessionStorage.removeItem(SESSION_KEY);
}

function claims(jwt) {
  try {
    const payload = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(payload), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new SignInError("the token is not a JWT");
  }
}

function groupsOf(tokenClaims) {
  const groups = tokenClaims["cognito:groups"] ?? [];
  return Array.isArray(groups) ? groups : String(groups).replace(/[[\]]/g, "").split(/[ ,]+/);
}

// --- local stack -----------------------------------------------------------------------------

export async function localUsers() {
  const response = await fetch("__local/users", { cache: "no-store" });
  if (!response.ok) throw new SignInError(`HTTP ${response.status}`);
  return (await response.json()).users;
}

export async function signInLocally(userId, role = "customer") {
  let response;
  try {
    response = await fetch("__local/sign-in", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user_id: userId, role }),
    });
  } catch {
    throw new SignInError("network");
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new SignInError(body?.error?.message ?? `HTTP ${response.status}`);
  return save(body.access_token, body.expires_in, body.user);
}

// --- Cognito hosted sign-in ------------------------------------------------------------------

function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

function randomString() {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

export async function pkceChallenge(verifier) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(digest);
}

/** Leave for the hosted sign-in page; it comes back to `redirect_uri` with ?code&state. */
export async function startHostedSignIn(returnTo) {
  const { cognito } = config();
  const verifier = randomString();
  const state = randomString();
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state, return_to: returnTo }));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: cognito.client_id,
    redirect_uri: cognito.redirect_uri,
    scope: "openid email",
    state,
    code_challenge_method: "S256",
    code_challenge: await pkceChallenge(verifier),
  });
  window.location.assign(`${cognito.domain}/oauth2/authorize?${query}`);
}

/** Back from the hosted sign-in: exchange the code for tokens. Returns where to go next, or null
 * when the address carries no sign-in answer ("" for the signed-in user's home). */
export async function completeHostedSignIn() {
  const query = new URLSearchParams(window.location.search);
  if (!query.has("code") && !query.has("error")) return null;
  const pending = JSON.parse(sessionStorage.getItem(PKCE_KEY) ?? "null");
  sessionStorage.removeItem(PKCE_KEY);
  // Drop ?code&state from the address: a reload must not replay them.
  window.history.replaceState(null, "", window.location.pathname + window.location.hash);
  if (query.has("error")) {
    throw new SignInError(query.get("error_description") || query.get("error"));
  }
  if (!pending || pending.state !== query.get("state")) {
    throw new SignInError("the sign-in answer does not match this page's request");
  }
  const { cognito } = config();
  let response;
  try {
    response = await fetch(`${cognito.domain}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        client_id: cognito.client_id,
        code: query.get("code"),
        redirect_uri: cognito.redirect_uri,
        code_verifier: pending.verifier,
      }),
    });
  } catch {
    throw new SignInError("network");
  }
  const tokens = await response.json().catch(() => ({}));
  if (!response.ok || !tokens.access_token) {
    throw new SignInError(tokens.error_description || tokens.error || `HTTP ${response.status}`);
  }
  const access = claims(tokens.access_token);
  const identity = tokens.id_token ? claims(tokens.id_token) : {};
  const role = groupsOf(access).includes(AGENTS_GROUP) ? "agent" : "customer";
  save(tokens.access_token, tokens.expires_in ?? 3600, {
    user_id: access.sub,
    name: identity.email || access.username || access.sub,
    role,
    locale: null,
  });
  return pending.return_to || "";
}

/** Forget the session; deployed, also end the hosted sign-in's own session. */
export function signOut() {
  forget();
  const settings = config();
  if (settings.auth === "cognito") {
    const query = new URLSearchParams({
      client_id: settings.cognito.client_id,
      logout_uri: settings.cognito.redirect_uri,
    });
    window.location.assign(`${settings.cognito.domain}/logout?${query}`);
    return true;
  }
  return false;
}
