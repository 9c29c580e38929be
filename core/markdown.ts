// Markdown → HTML for LLM-written text (chapters in the handout and the web UI): headings, paragraphs, block quotes,
// lists, rules, bold, italic, code and links. Everything is escaped first, so no HTML from a model reaches a page;
// links keep only relative, #anchor and http(s) targets.
const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

export { escapeHtml };

function inline(text: string): string {
  return escapeHtml(text)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^*\w])\*([^*\s][^*]*)\*(?!\w)/g, '$1<em>$2</em>')
    .replace(/(^|[^_\w])_([^_\s][^_]*)_(?!\w)/g, '$1<em>$2</em>')
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_m, label: string, href: string) => {
      const safe = /^(https?:\/\/|#|[A-Za-z0-9._/-]+(#[\w-]+)?$)/.test(href) && !/^[a-z]+:/i.test(href.replace(/^https?:/, ''));
      return safe ? `<a href="${href}">${label}</a>` : label;
    });
}

/** `shift` moves headings down (a chapter's ## becomes ### inside a scene) */
export function markdownToHtml(markdown: string, options: { shift?: number } = {}): string {
  const out: string[] = [];
  let paragraph: string[] = [];
  let list: { tag: 'ul' | 'ol'; items: string[] } | undefined;
  let quote: string[] = [];
  const flush = () => {
    if (paragraph.length) out.push(`<p>${inline(paragraph.join(' '))}</p>`);
    if (list) out.push(`<${list.tag}>${list.items.map((i) => `<li>${inline(i)}</li>`).join('')}</${list.tag}>`);
    if (quote.length) out.push(`<blockquote>${markdownToHtml(quote.join('\n'), options)}</blockquote>`);
    paragraph = [];
    list = undefined;
    quote = [];
  };
  for (const raw of markdown.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trimEnd();
    const quoted = /^\s*>\s?(.*)$/.exec(line);
    if (quoted) { if (!quote.length) flush(); quote.push(quoted[1]!); continue; }
    if (quote.length) flush();
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const bullet = /^\s*[-*+]\s+(.*)$/.exec(line);
    const numbered = /^\s*\d+[.)]\s+(.*)$/.exec(line);
    if (!line.trim()) flush();
    else if (heading) {
      flush();
      const level = Math.min(6, heading[1]!.length + (options.shift ?? 0));
      out.push(`<h${level}>${inline(heading[2]!)}</h${level}>`);
    } else if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) { flush(); out.push('<hr>'); }
    else if (bullet || numbered) {
      const tag = bullet ? 'ul' : 'ol';
      if (paragraph.length || (list && list.tag !== tag)) flush();
      list ??= { tag, items: [] };
      list.items.push((bullet ?? numbered)![1]!);
    } else if (list && /^\s{2,}\S/.test(raw)) list.items[list.items.length - 1] += ` ${line.trim()}`;
    else { if (list) flush(); paragraph.push(line.trim()); }
  }
  flush();
  return out.join('\n');
}
