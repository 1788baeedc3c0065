// The page's settings, read from `config.json` beside it.
//   {"auth": "local", "api_url": ""}                         the local stack (it writes this itself)
//   {"auth": "cognito", "api_url": "https://…execute-api…",
//    "cognito": {"domain": "https://….amazoncognito.com", "client_id": "…",
//                "redirect_uri": "https://….cloudfront.net/"}}       a deployment (the stack's WebConfig output)

let settings = null;

export async function loadConfig() {
  const response = await fetch("config.json", { cache: "no-cache" });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  const loaded = await response.json();
  if (loaded.auth !== "local" && loaded.auth !== "cognito") {
    throw new Error(`config.json: unknown auth ${JSON.stringify(loaded.auth)}`);
  }
  if (loaded.auth === "cognito") {
    for (const field of ["domain", "client_id", "redirect_uri"]) {
      if (!loaded.cognito?.[field]) throw new Error(`config.json: cognito.${field} is missing`);
    }
  }
  settings = { api_url: "", ...loaded };
  return settings;
}

export function config() {
  return settings;
}
