import { Marked, type Tokens } from "marked";

/*
 * Task descriptions are markdown written by people and agents. Raw HTML in them is shown as text
 * and links may only point to http(s)/mailto, so a description can never run script in the page.
 */
function escapeHtml(text: string) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

function safeHref(href: string): string | null {
  try {
    const url = new URL(href, "https://relative.invalid/");
    if (url.origin === "https://relative.invalid") return href.startsWith("/") ? href : null;
    return ["http:", "https:", "mailto:"].includes(url.protocol) ? href : null;
  } catch {
    return null;
  }
}

const marked = new Marked({
  gfm: true,
  breaks: true,
  renderer: {
    html(token: Tokens.HTML | Tokens.Tag) {
      return escapeHtml(token.text);
    },
    link(token: Tokens.Link) {
      const text = this.parser.parseInline(token.tokens);
      const href = safeHref(token.href);
      if (!href) return text;
      const title = token.title ? ` title="${escapeHtml(token.title)}"` : "";
      return `<a href="${escapeHtml(href)}"${title} rel="noopener noreferrer nofollow" target="_blank">${text}</a>`;
    },
    image(token: Tokens.Image) {
      // Images would load third-party URLs in the operator's browser; show the alt text and link instead.
      const href = safeHref(token.href);
      const alt = escapeHtml(token.text || "image");
      return href ? `<a href="${escapeHtml(href)}" rel="noopener noreferrer nofollow" target="_blank">[${alt}]</a>` : alt;
    },
  },
});

export function renderMarkdown(source: string): string {
  return marked.parse(source, { async: false }) as string;
}
