// Progressive enhancement: while a member types a new thread's title, list similar threads.
// The server renders the fragment (visible threads only, escaped); without this file the form
// works the same.
(() => {
  const region = document.getElementById("similar-threads");
  const input = region && document.getElementById(region.dataset.titleInput);
  if (!input) return;
  let timer = null;
  let controller = null;
  let lastTitle = "";

  const update = async () => {
    const title = input.value.trim();
    if (title === lastTitle) return;
    lastTitle = title;
    if (controller) controller.abort();
    if (title.length < 4) {
      region.replaceChildren();
      return;
    }
    controller = new AbortController();
    const url = `${region.dataset.similarUrl}?${new URLSearchParams({ title })}`;
    try {
      const response = await fetch(url, {
        signal: controller.signal,
        headers: { Accept: "text/html" },
        credentials: "same-origin",
      });
      if (!response.ok) return;
      const html = await response.text();
      // The fragment comes from our own server, rendered and escaped by Django templates.
      const fragment = document.createRange().createContextualFragment(html);
      region.replaceChildren(fragment);
    } catch (error) {
      if (error.name !== "AbortError") region.replaceChildren();
    }
  };

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(update, 350);
  });
})();
