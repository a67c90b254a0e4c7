// Progressive enhancement: Quote puts the quoted post into the reply box at the cursor, without
// a reload, and keeps what was typed. Without this file Quote submits the reply form, and the
// server gives the typed text back with the quote appended.
(() => {
  const form = document.getElementById("reply-form");
  const box = form && form.elements.body;
  if (!box) return;
  let touched = false; // until the member puts the cursor in the box, quotes go at the end
  box.addEventListener("focus", () => { touched = true; });

  const insert = (quote) => {
    const start = touched ? box.selectionStart : box.value.length;
    const end = touched ? box.selectionEnd : box.value.length;
    const before = box.value.slice(0, start);
    let text = quote;
    if (before && !before.endsWith("\n\n")) text = (before.endsWith("\n") ? "\n" : "\n\n") + text;
    box.setRangeText(text, start, end, "end");
    box.dispatchEvent(new Event("input", { bubbles: true }));
    box.focus();
  };

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-quote-url]");
    if (!button || button.form !== form) return;
    event.preventDefault();
    try {
      const response = await fetch(button.dataset.quoteUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) throw new Error(String(response.status));
      insert((await response.json()).text);
    } catch {
      form.requestSubmit(button); // the page way still works
    }
  });
})();
