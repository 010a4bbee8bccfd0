// Type-ahead for the "Find ..." boxes of the facets: as the user types, the box's
// list of suggestions is filled from /api/facets/<name>?prefix=. Without
// JavaScript the box still works: it submits the value typed.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-typeahead]")) {
    const input = form.querySelector("input[list]");
    const list = document.getElementById(input.getAttribute("list"));
    let pending = null;
    input.addEventListener("input", () => {
      clearTimeout(pending);
      pending = setTimeout(async () => {
        const url = `${form.dataset.typeahead}?prefix=${encodeURIComponent(input.value)}&limit=20`;
        const response = await fetch(url, { headers: { Accept: "application/json" } });
        if (!response.ok) return;
        const data = await response.json();
        list.replaceChildren(...data.values.map((item) => {
          const option = document.createElement("option");
          option.value = item.value;
          option.label = `${item.value} (${item.count})`;
          return option;
        }));
      }, 150);
    });
  }
});
