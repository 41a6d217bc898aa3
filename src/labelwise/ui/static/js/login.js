import { ApiError, post } from "./api.js";
import { enableSubmit, say } from "./dom.js";

const form = document.getElementById("login-form");
const error = document.getElementById("login-error");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  say(error, "");
  const data = new FormData(form);
  try {
    await post("/auth/login", { email: data.get("email"), password: data.get("password") });
    location.assign(form.dataset.next || "/");
  } catch (err) {
    say(error, err instanceof ApiError ? err.message : "Could not reach the server.");
    form.querySelector("#password").select();
  }
});
enableSubmit(form);
