// The public CV page: the server sends the text (readable without JS, and by search engines);
// this renders its Markdown safely in place.
import { renderMarkdown } from "./markdown.js";

const source = document.getElementById("cv-source");
const body = document.getElementById("cv-body");
if (source && body) body.replaceChildren(renderMarkdown(source.textContent));
