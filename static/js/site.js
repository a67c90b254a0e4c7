// Progressive enhancement only: every page works without this file.
// Prevent double submissions: a form that is being sent cannot be sent again.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.dataset.submitting === "true") {
    event.preventDefault();
    return;
  }
  form.dataset.submitting = "true";
  form.querySelectorAll("button[type=submit], input[type=submit]").forEach((button) => {
    button.setAttribute("aria-disabled", "true");
  });
});
// Coming back through the browser's history restores a page whose form was being sent.
window.addEventListener("pageshow", () => {
  document.querySelectorAll("form[data-submitting]").forEach((form) => {
    delete form.dataset.submitting;
    form.querySelectorAll("[aria-disabled]").forEach((button) => button.removeAttribute("aria-disabled"));
  });
});
// Ask before an action that cannot be undone from the page (data-confirm holds the question).
// Without scripts the action happens at once, as it did before.
document.addEventListener("click", (event) => {
  const control = event.target.closest("[data-confirm]");
  if (control && !window.confirm(control.dataset.confirm)) {
    event.preventDefault();
  }
});
