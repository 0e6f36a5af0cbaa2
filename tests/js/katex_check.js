// Renders math spans with KaTeX as a Markdown editor would, and reports every failure.
// stdin: JSON [{"tex": "...", "display": true|false}, ...]
// stdout: JSON [{"ok": true} | {"ok": false, "error": "..."}, ...] in the same order.
"use strict";
const katex = require("katex");

// Strict mode: anything LaTeX itself would not accept is an error, except CJK characters
// inside \text{...} (KaTeX has no metrics for them, but renders them, as TeX with ctex does).
function strict(code, message, token) {
  if (code === "unknownSymbol" || code === "unicodeTextInMathMode") {
    const text = token && token.text ? token.text : "";
    if (/^[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+$/.test(text) && code === "unknownSymbol") {
      return "ignore";
    }
  }
  return "error";
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const spans = JSON.parse(input);
  const results = spans.map(({ tex, display }) => {
    try {
      katex.renderToString(tex, { displayMode: display, throwOnError: true, strict });
      return { ok: true };
    } catch (err) {
      return { ok: false, error: String(err.message || err) };
    }
  });
  process.stdout.write(JSON.stringify(results));
});
