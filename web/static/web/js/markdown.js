// A deliberately small Markdown subset rendered to DOM nodes, never to an HTML string:
// every character of the source ends up in a text node, so no markup can be injected.
// Supported: **bold**, *italic* / _italic_, `code`, [text](http(s) URL), bare http(s) URLs,
// line breaks. Anything else, including links to other schemes, stays literal text.

const INLINE =
  /(`+)([^`]+?)\1|\*\*(?=\S)([\s\S]+?)\*\*|\*(?=\S)([^*]+?)\*|\b_(?=\S)([^_]+?)_\b|\[([^\]\n]+)\]\(([^)\s]+)\)|(https?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]'])/g;

export function safeUrl(raw, { sameSiteRelative = false } = {}) {
  let url;
  const relative = sameSiteRelative && /^\/(?!\/)/.test(raw);
  try {
    url = relative ? new URL(raw, location.origin) : new URL(raw);
  } catch (_err) {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  if (!relative && !/^https?:\/\//i.test(raw)) return null;
  return url.href;
}

/** The documents attached to a message: links (http, https or this site's own paths) only. */
export function renderDocuments(documents) {
  const list = document.createElement("ul");
  list.className = "documents";
  for (const doc of documents || []) {
    const href = safeUrl(String(doc.url || ""), { sameSiteRelative: true });
    const item = document.createElement("li");
    const label = String(doc.title || doc.url || "");
    if (href) item.append(link(href, [document.createTextNode(label)]));
    else item.textContent = label;
    if (doc.description) {
      const description = document.createElement("span");
      description.className = "document-description";
      description.textContent = ` — ${doc.description}`;
      item.append(description);
    }
    list.append(item);
  }
  return list;
}

function link(href, children) {
  const a = document.createElement("a");
  a.href = href;
  a.rel = "noopener noreferrer nofollow";
  a.target = "_blank";
  a.append(...children);
  return a;
}

export function renderInline(text, { links = true } = {}) {
  const out = [];
  let last = 0;
  INLINE.lastIndex = 0;
  for (const match of text.matchAll(INLINE)) {
    if (match.index > last) out.push(document.createTextNode(text.slice(last, match.index)));
    last = match.index + match[0].length;
    const [whole, , code, bold, italic, italic2, linkText, linkUrl, bare] = match;
    if (code !== undefined) {
      const el = document.createElement("code");
      el.textContent = code;
      out.push(el);
    } else if (bold !== undefined) {
      const el = document.createElement("strong");
      el.append(...renderInline(bold, { links }));
      out.push(el);
    } else if (italic !== undefined || italic2 !== undefined) {
      const el = document.createElement("em");
      el.append(...renderInline(italic ?? italic2, { links }));
      out.push(el);
    } else if (linkText !== undefined) {
      const href = links ? safeUrl(linkUrl) : null;
      if (href) out.push(link(href, renderInline(linkText, { links: false })));
      else out.push(document.createTextNode(whole));
    } else if (bare !== undefined) {
      const href = links ? safeUrl(bare) : null;
      out.push(href ? link(href, [document.createTextNode(bare)]) : document.createTextNode(bare));
    }
  }
  if (last < text.length) out.push(document.createTextNode(text.slice(last)));
  return out;
}

export function renderMarkdown(source) {
  const fragment = document.createDocumentFragment();
  const lines = String(source).replace(/\r\n?/g, "\n").split("\n");
  lines.forEach((line, i) => {
    if (i > 0) fragment.append(document.createElement("br"));
    fragment.append(...renderInline(line));
  });
  return fragment;
}
