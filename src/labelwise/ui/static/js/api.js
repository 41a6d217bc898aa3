// The JSON API from the browser: the session cookie goes along, writes carry the CSRF header.

const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.getAttribute("content") ?? "";

export class ApiError extends Error {
  constructor(status, body) {
    const detail = body && typeof body === "object" ? body.detail : String(body ?? "");
    super(typeof detail === "string" && detail ? detail : `request failed (${status})`);
    this.status = status;
    this.errors = body && typeof body === "object" && Array.isArray(body.errors) ? body.errors : [];
  }
}

export function apiUrl(path, query = {}) {
  const url = new URL("/api/v1" + path, location.origin);
  for (const [key, value] of Object.entries(query)) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) if (v !== undefined && v !== null && v !== "") url.searchParams.append(key, v);
  }
  return url;
}

export async function api(method, path, { json, body, query } = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken();
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  }
  const res = await fetch(apiUrl(path, query), { method, headers, body, credentials: "same-origin" });
  if (res.status === 401 && !path.startsWith("/auth/")) {
    location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search));
  }
  if (res.status === 204) return null;
  const type = res.headers.get("content-type") ?? "";
  const data = type.includes("json") ? await res.json() : await res.text();
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

export const get = (path, query) => api("GET", path, { query });
export const post = (path, json, query) => api("POST", path, { json, query });
export const put = (path, json) => api("PUT", path, { json });
export const patch = (path, json) => api("PATCH", path, { json });
export const del = (path) => api("DELETE", path);

/** The project page's context, from the data-* attributes the server rendered. */
export function pageProject() {
  const main = document.getElementById("main");
  return {
    id: main.dataset.project,
    role: main.dataset.role,
    canManage: main.dataset.canManage === "true",
    base: `/projects/${main.dataset.project}`,
  };
}
