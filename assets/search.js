// The search page: searches this language's Pagefind index (made by the build, see
// site_builder/render/search.py) for the query in the address (?q=), and lists the pages found.
// The index comes in bundles: the first one's scripts search all of them, the others merged in.
const results = document.getElementById("search-results");
const status = results.querySelector(".search-status");
const input = document.getElementById("search-query");
const query = (new URLSearchParams(window.location.search).get("q") || "").trim();
const PAGE_SIZE = 20;

function say(name, values) {
  return results.dataset[name].replace(/\{(\w+)\}/g, (_, key) => String(values[key]));
}

// Pagefind's excerpt is HTML: text with the matches in <mark>. Only those are kept, as nodes.
function excerptNodes(html) {
  const parsed = new DOMParser().parseFromString(html, "text/html");
  return Array.from(parsed.body.childNodes, (node) => {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      return mark;
    }
    return document.createTextNode(node.textContent);
  });
}

function item(page) {
  const li = document.createElement("li");
  const link = document.createElement("a");
  link.href = page.url;
  link.textContent = (page.meta && page.meta.title) || page.url;
  const heading = document.createElement("h2");
  heading.append(link);
  const excerpt = document.createElement("p");
  excerpt.append(...excerptNodes(page.excerpt || ""));
  li.append(heading, excerpt);
  return li;
}

async function run() {
  input.value = query;
  if (!query) return;
  // The page in another language searches for the same words: its link carries them.
  for (const link of document.querySelectorAll(".language-switcher a[hreflang]")) {
    const address = new URL(link.href, window.location.href);
    address.searchParams.set("q", query);
    link.href = address.pathname + address.search;
  }
  status.textContent = results.dataset.searching;
  const [primary, ...others] = results.dataset.bundles.split(" ");
  let found;
  try {
    const pagefind = await import(`${primary}pagefind.js`);
    await pagefind.options({ baseUrl: "/" });
    for (const other of others) await pagefind.mergeIndex(other);
    found = (await pagefind.search(query)).results;
  } catch (error) {
    status.textContent = results.dataset.failed;
    throw error;
  }
  const count = found.length;
  const list = document.createElement("ol");
  list.className = "search-list";
  results.append(list);
  let shown = 0;
  const more = document.createElement("button");
  more.type = "button";
  more.className = "search-more";
  more.textContent = results.dataset.more;
  async function showMore() {
    const pages = await Promise.all(found.slice(shown, shown + PAGE_SIZE).map((result) => result.data()));
    list.append(...pages.map(item));
    shown += pages.length;
    if (shown >= count) more.remove();
  }
  more.addEventListener("click", showMore);
  await showMore();
  if (shown < count) results.append(more);
  // Last: the status is announced, and the results are there to read.
  status.textContent = say(count === 0 ? "none" : count === 1 ? "one" : "many", { count, query });
}

run();
