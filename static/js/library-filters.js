// Progressive enhancement for the case-study library: a filter applies as soon as it changes
// (the GET form is submitted, so the address shows the filters), and the filter panel is open on
// wide screens. Without this file the form is a plain GET form with an "Apply filters" button.
(() => {
  const panel = document.getElementById("library-panel");
  const form = document.getElementById("library-filters");
  if (!panel || !form) return;
  const wide = window.matchMedia("(min-width: 56rem)");
  const KEY = "library-filter-focus";
  const remembered = sessionStorage.getItem(KEY);
  sessionStorage.removeItem(KEY);
  if (wide.matches || remembered) panel.open = true;
  wide.addEventListener("change", () => { if (wide.matches) panel.open = true; });
  if (remembered) {
    // Back where the member was: the reload keeps the keyboard focus on the control they used.
    const control = document.getElementById(remembered);
    if (control) {
      const more = control.closest("details.facet__more");
      if (more) more.open = true;
      control.focus();
    }
  }
  form.addEventListener("change", (event) => {
    const control = event.target;
    if (!control.matches("input[type=checkbox], input[type=radio]")) return;
    sessionStorage.setItem(KEY, control.id);
    form.requestSubmit();
  });
})();
