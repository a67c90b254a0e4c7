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
// The header menu is a <details> that folds on a phone. On a wide screen it is open (the stylesheet
// shows it whole where it can, this makes the state agree); Escape folds it again on a phone.
const siteMenu = document.querySelector("[data-site-menu]");
if (siteMenu) {
  const wide = window.matchMedia("(min-width: 44rem)");
  const fit = () => {
    siteMenu.open = wide.matches;
  };
  fit();
  wide.addEventListener("change", fit);
  siteMenu.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && siteMenu.open && !wide.matches) {
      siteMenu.open = false;
      siteMenu.querySelector("summary").focus();
    }
  });
}
// The error summary (components/error_summary.html) takes focus when the page loads, so what went
// wrong is read first; each of its links moves focus to its field with the field's label in view.
const errorSummary = document.querySelector("[data-error-summary]");
if (errorSummary) {
  errorSummary.focus();
  errorSummary.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#']");
    const field = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!field) {
      return;
    }
    event.preventDefault();
    const legend = field.closest("fieldset")?.querySelector("legend");
    const label = legend || (field.labels && field.labels[0]);
    (label || field).scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  });
}
