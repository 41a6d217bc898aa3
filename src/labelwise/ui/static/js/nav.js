// The header: log out.
import { post } from "./api.js";

document.getElementById("logout")?.addEventListener("click", async () => {
  try {
    await post("/auth/logout");
  } finally {
    location.assign("/login");
  }
});
