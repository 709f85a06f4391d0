//! Safe rendering of user-written text (annotations, discussion replies,
//! titles) for Open Welfare Bologna.
//!
//! # One sanitizer for all user text
//!
//! Every piece of text a citizen writes goes through this module and nothing
//! else: [`normalize`] before it is stored, [`render`] when a body is shown as
//! HTML, [`clean_title`] for one-line titles (which are never markup and are
//! escaped by the caller's templates). Having a single place means a single
//! place to review, test and fix.
//!
//! # The markdown subset
//!
//! [`render`] accepts a small CommonMark subset, parsed by `pulldown-cmark`
//! and written out by our own writer (not `pulldown_cmark::html`), so every
//! tag and attribute that can appear is listed in this file:
//!
//! | source                           | output                               |
//! | -------------------------------- | ------------------------------------ |
//! | paragraphs                       | `<p>`                                |
//! | line break (any newline)         | `<br>`                               |
//! | `*em*`, `**strong**`, `~~del~~`  | `<em>`, `<strong>`, `<del>`          |
//! | `` `code` ``, fenced/indented    | `<code>`, `<pre><code>`              |
//! | `> quote` (nested)               | `<blockquote>`                       |
//! | `- item`, `1. item` (nested)     | `<ul>`/`<ol>` + `<li>`               |
//! | `[text](url)`, `<url>`, bare URL | `<a href rel="nofollow ugc noopener">` |
//! | `# heading` (any level)          | `<p><strong>…</strong></p>`          |
//! | `![alt](url)`                    | a link to `url` showing `alt`        |
//! | `@Name` (resolved)               | `<a href="/utenti/ID" class="mention">` |
//!
//! Everything else is shown as text or dropped. Why each rule:
//!
//! * **No raw HTML.** Raw HTML (blocks, inline tags, comments) is shown as
//!   escaped text, never passed through: a whitelist of tags *inside* user
//!   HTML is where sanitizers historically break, and citizens do not need it.
//! * **No images.** An `<img>` loads a third-party resource in every reader's
//!   browser (tracking pixels, IP logging, offensive content inline). An image
//!   becomes a link to its URL showing its alt text, under the link rules.
//! * **Headings demoted.** User text must not add `h1`–`h6` to our pages'
//!   outline (screen-reader navigation, SEO); it becomes a bold paragraph.
//! * **Links: only `http`, `https`, `mailto`.** Checked after trimming and
//!   case-folding the scheme; anything else — `javascript:`, `data:`,
//!   `vbscript:`, `file:`, relative and protocol-relative URLs, URLs with
//!   control or invisible characters (`java\tscript:`, `java\u{200B}script:`)
//!   — is refused and the link is shown as its text only. Entity-encoded
//!   schemes (`&#106;avascript:`) are decoded by the parser first, then refused.
//!   An `http(s)` link needs a host and must not carry user info
//!   (`https://comune.bologna.it@evil.example` is a classic phishing shape),
//!   and must parse with the same WHATWG URL parser ammonia uses, so the two
//!   layers agree. Non-ASCII and attribute-breaking characters in a URL are
//!   percent-encoded. No links inside links (the inner one is text), and a
//!   link with no text shows its URL rather than being invisible.
//! * **Bare URLs are links** (`http://`/`https://` only, not `www.`), found in
//!   plain text only — never inside code or an existing link — with trailing
//!   punctuation and unbalanced `)` left outside, under the same link rules.
//! * **`rel="nofollow ugc noopener"`, no `target`.** `nofollow ugc` tells
//!   search engines the link is user content (no spam reward); `noopener`
//!   keeps the opened page from reaching back into ours. No `target`: the
//!   reader decides where a link opens.
//! * **Every newline is a line break.** Citizens write addresses and lists
//!   line by line and expect to see them that way; besides, [`normalize`]
//!   trims trailing spaces, so markdown's "two spaces" break could not
//!   survive storage.
//! * **Nesting is capped** at [`MAX_NESTING`] quotes/lists: deeper levels are
//!   flattened. Nobody needs more, and it keeps the HTML (and every browser
//!   and parser that reads it) away from pathological depths.
//! * **Mentions**: `@Name`, Name being 2–60 letters, digits, `.`, `_`, `-`
//!   (Unicode letters too), after a non-name character (so e-mail addresses
//!   are not mentions), in plain text only. If the name, or the name without
//!   trailing `._-` ("@Mario." ending a sentence), resolves, it becomes a
//!   link to the profile; otherwise it stays text.
//! * **Mention look-ups are capped** at [`MAX_MENTION_LOOKUPS`] distinct names
//!   per render, so one post cannot make the caller run thousands of queries.
//! * **No tables, footnotes, task lists, thematic breaks.** Not needed for
//!   discussion replies, and each extra construct is extra attack surface.
//! * **Defence in depth.** The generated HTML is then passed through
//!   `ammonia` with an explicit allow-list (the tags above, `a[href]`, class
//!   `mention` on `a` only, schemes `http`/`https`/`mailto`, relative URLs
//!   only of the form `/utenti/ID`), so a bug in our writer cannot become an
//!   XSS.
//!
//! [`render`] also applies [`normalize`] to its input first, so text that was
//! stored before normalisation existed is rendered under the same rules.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};
use unicode_normalization::UnicodeNormalization;

/// Deepest nesting of block quotes and lists that is rendered as such;
/// deeper levels are flattened into the enclosing one.
pub const MAX_NESTING: usize = 16;

/// Most distinct `@Name`s that one [`render`] asks [`Mentions::resolve`]
/// about; later new names stay plain text.
pub const MAX_MENTION_LOOKUPS: usize = 50;

/// The `rel` every user link carries.
const LINK_REL: &str = "nofollow ugc noopener";

/// Path prefix of a mention link; the profile id follows.
const MENTION_PREFIX: &str = "/utenti/";

/// What a mention looks like to the renderer: the display name written after @, resolved by the caller to a profile id (or None: left as text).
pub trait Mentions {
    /// The profile id of the user whose display name is `name`, if any.
    fn resolve(&self, name: &str) -> Option<i64>;
}

impl<F: Fn(&str) -> Option<i64>> Mentions for F {
    fn resolve(&self, name: &str) -> Option<i64> {
        self(name)
    }
}

/// A [`Mentions`] that resolves nothing: every `@Name` stays text.
pub struct NoMentions; // resolves nothing

impl Mentions for NoMentions {
    fn resolve(&self, _name: &str) -> Option<i64> {
        None
    }
}

/// The result of [`render`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Sanitized HTML, safe to insert into a page as is.
    pub html: String,
    /// ids of resolved mentions, unique, in order of first appearance
    pub mentions: Vec<i64>,
    /// plain text (for notifications, search, length checks): markdown stripped, whitespace collapsed
    ///
    /// Not HTML: the caller escapes it on output like any other string.
    pub text: String,
}

/// Render user-written markdown (the subset in the [module docs](self)) to
/// safe HTML, plus the resolved mentions and a plain-text version.
///
/// No length limit is applied here (the caller checks `text`); the work is
/// linear-ish in the input size, whatever the input.
pub fn render(source: &str, mentions: &dyn Mentions) -> Rendered {
    let source = normalize(source);
    let mut options = Options::empty();
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let mut writer = Writer::new(mentions);
    for event in Parser::new_ext(&source, options) {
        writer.event(&event);
    }
    writer.flush();

    let html = SANITIZER.clean(&writer.html).to_string();
    Rendered {
        html,
        mentions: writer.mention_ids,
        text: collapse_whitespace(&writer.text),
    }
}

/// A one-line title: control characters removed, whitespace collapsed, trimmed; NO markup (the caller escapes on output).
///
/// Line breaks and tabs count as whitespace (they become a single space);
/// bidi controls and zero-width characters are removed like in [`normalize`];
/// the result is NFC and at most `max_chars` characters long.
pub fn clean_title(input: &str, max_chars: usize) -> String {
    let filtered: String = input
        .chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if c.is_control() || is_invisible(c) {
                None
            } else {
                Some(c)
            }
        })
        .nfc()
        .collect();
    let collapsed = collapse_whitespace(&filtered);
    let truncated: String = collapsed.chars().take(max_chars).collect();
    truncated.trim_end().to_string()
}

/// Normalise user text before storing: NFC (unicode-normalization crate), CRLF -> LF, remove control chars except \n and \t, remove bidi override/isolate controls (U+202A..U+202E, U+2066..U+2069) and zero-width chars U+200B..U+200D, U+2060, U+FEFF; trim trailing whitespace of lines; at most 2 consecutive blank lines.
///
/// Also: a lone CR counts as a line break (old Mac line endings), and blank
/// lines at the very start and end are removed. `normalize` is idempotent.
pub fn normalize(input: &str) -> String {
    let mut filtered = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                filtered.push('\n');
            }
            '\n' | '\t' => filtered.push(c),
            c if c.is_control() || is_invisible(c) => {}
            c => filtered.push(c),
        }
    }
    // NFC after filtering: removing a character can bring a base character
    // and a combining mark together.
    let nfc: String = filtered.nfc().collect();

    let mut out = String::with_capacity(nfc.len());
    let mut blank_run = 0usize;
    for line in nfc.split('\n') {
        let line = line.trim_end();
        if line.is_empty() {
            if !out.is_empty() {
                blank_run += 1;
            }
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
            for _ in 0..blank_run.min(2) {
                out.push('\n');
            }
        }
        out.push_str(line);
        blank_run = 0;
    }
    out
}

/// Bidi embedding/override/isolate controls and zero-width characters:
/// invisible, and able to make text read differently from what it is.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{200B}'..='\u{200D}'
            | '\u{2060}'
            | '\u{FEFF}'
    )
}

fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Escape text for HTML element content and double-quoted attribute values.
fn escape_html(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// Percent-encode the bytes of a URL that are not plainly safe in an
/// attribute (non-ASCII included). `&` and `'` are kept: [`escape_html`]
/// turns them into entities when the URL is written, so it keeps its meaning.
fn encode_url(url: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(url.len());
    for &b in url.as_bytes() {
        match b {
            b'a'..=b'z'
            | b'A'..=b'Z'
            | b'0'..=b'9'
            | b'!'
            | b'#'
            | b'$'
            | b'%'
            | b'&'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b'+'
            | b','
            | b'-'
            | b'.'
            | b'/'
            | b':'
            | b';'
            | b'='
            | b'?'
            | b'@'
            | b'['
            | b']'
            | b'^'
            | b'_'
            | b'~' => out.push(b as char),
            _ => {
                out.push('%');
                out.push(HEX[(b >> 4) as usize] as char);
                out.push(HEX[(b & 15) as usize] as char);
            }
        }
    }
    out
}

/// The link rules: the URL for an `href` (percent-encoded, not yet
/// HTML-escaped) if `raw` may be a link target, else `None`.
///
/// Only `http:`/`https:` with a host and no user info (no
/// `https://ok.example@evil.example`), and `mailto:` with an address; the
/// scheme compared case-insensitively after trimming; no control or invisible
/// characters anywhere. Everything else (other schemes, relative and
/// protocol-relative URLs, obfuscated schemes) is refused. Finally the URL
/// must parse with the WHATWG URL parser that ammonia uses, so ammonia never
/// has to strip an `href` we wrote.
fn safe_href(raw: &str) -> Option<String> {
    let url = raw.trim_matches(|c: char| c.is_whitespace() || c.is_control());
    if url.chars().any(|c| c.is_control() || is_invisible(c)) {
        return None;
    }
    let (scheme, rest) = url.split_once(':')?;
    let is_http = scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https");
    if is_http {
        let host = rest.strip_prefix("//")?;
        match host.chars().next() {
            Some(c) if c.is_alphanumeric() || c == '[' => {}
            _ => return None,
        }
    } else if scheme.eq_ignore_ascii_case("mailto") {
        match rest.chars().next() {
            Some(c) if !c.is_whitespace() => {}
            _ => return None,
        }
    } else {
        return None;
    }
    let encoded = encode_url(url);
    let parsed = ammonia::Url::parse(&encoded).ok()?;
    let ok = match parsed.scheme() {
        "http" | "https" => {
            is_http
                && parsed.host_str().is_some_and(|h| !h.is_empty())
                && parsed.username().is_empty()
                && parsed.password().is_none()
        }
        "mailto" => !is_http,
        _ => false,
    };
    ok.then_some(encoded)
}

/// The elements [`Writer`] may produce, and so all the sanitizer lets through.
const ALLOWED_TAGS: [&str; 12] = [
    "p",
    "br",
    "em",
    "strong",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
];

/// The ammonia policy: exactly what [`Writer`] may produce, nothing else.
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::empty();
    b.tags(HashSet::from(ALLOWED_TAGS))
        .tag_attributes(HashMap::from([("a", HashSet::from(["href"]))]))
        .tag_attribute_values(HashMap::new())
        .set_tag_attribute_values(HashMap::new())
        .generic_attributes(HashSet::new())
        .generic_attribute_prefixes(HashSet::new())
        .allowed_classes(HashMap::from([("a", HashSet::from(["mention"]))]))
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .url_relative(ammonia::UrlRelative::Custom(Box::new(mention_href_only)))
        .link_rel(Some(LINK_REL))
        .strip_comments(true)
        .id_prefix(None)
        .clean_content_tags(HashSet::from(["script", "style"]));
    b
});

/// ammonia's rule for relative URLs: only `/utenti/ID` (mention links).
fn mention_href_only(url: &str) -> Option<Cow<'_, str>> {
    let id = url.strip_prefix(MENTION_PREFIX)?;
    let digits = id.strip_prefix('-').unwrap_or(id);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        Some(Cow::Borrowed(url))
    } else {
        None
    }
}

/// Writes HTML and plain text from parser events.
struct Writer<'m> {
    html: String,
    text: String,
    mention_ids: Vec<i64>,
    resolver: &'m dyn Mentions,
    /// Names already asked about, with the answer.
    resolved: HashMap<String, Option<i64>>,
    /// Coalesced text not yet written (the parser splits text in pieces).
    pending: String,
    /// One entry per open Link/Image: if an `<a>` was written for it, where
    /// its content starts in `html` and the URL to show if it stays empty.
    links: Vec<Option<(usize, String)>>,
    /// Number of written `<a>` still open (0 or 1: no links in links).
    open_anchors: usize,
    /// One entry per open BlockQuote/List: whether its tag was written.
    containers: Vec<bool>,
    /// Written (not flattened) containers currently open.
    depth: usize,
    in_code_block: bool,
    in_html_block: bool,
}

impl<'m> Writer<'m> {
    fn new(resolver: &'m dyn Mentions) -> Self {
        Writer {
            html: String::new(),
            text: String::new(),
            mention_ids: Vec::new(),
            resolver,
            resolved: HashMap::new(),
            pending: String::new(),
            links: Vec::new(),
            open_anchors: 0,
            containers: Vec::new(),
            depth: 0,
            in_code_block: false,
            in_html_block: false,
        }
    }

    fn event(&mut self, event: &Event<'_>) {
        match event {
            // Raw HTML is text; so is anything from a disabled extension.
            Event::Text(s)
            | Event::Html(s)
            | Event::InlineHtml(s)
            | Event::FootnoteReference(s)
            | Event::InlineMath(s)
            | Event::DisplayMath(s) => self.pending.push_str(s),
            Event::Code(s) => {
                self.flush();
                self.html.push_str("<code>");
                escape_html(&mut self.html, s);
                self.html.push_str("</code>");
                self.text.push_str(s);
            }
            Event::SoftBreak | Event::HardBreak => {
                self.flush();
                self.html.push_str("<br>\n");
                self.text.push(' ');
            }
            Event::Rule => {
                self.flush();
                self.text.push(' ');
            }
            Event::TaskListMarker(_) => {}
            Event::Start(tag) => {
                self.flush();
                if !is_inline(tag) {
                    self.text.push(' ');
                }
                self.start(tag);
            }
            Event::End(tag) => {
                self.flush();
                self.end(*tag);
            }
        }
    }

    fn start(&mut self, tag: &Tag<'_>) {
        match tag {
            Tag::Paragraph => self.html.push_str("<p>"),
            Tag::Heading { .. } => self.html.push_str("<p><strong>"),
            Tag::BlockQuote(_) => self.open_container("<blockquote>\n"),
            Tag::List(None) => self.open_container("<ul>\n"),
            Tag::List(Some(_)) => self.open_container("<ol>\n"),
            Tag::Item => {
                if self.containers.last() == Some(&true) {
                    self.html.push_str("<li>");
                }
            }
            Tag::CodeBlock(_) => {
                // The info string (language) is dropped: no class attributes.
                self.html.push_str("<pre><code>");
                self.in_code_block = true;
            }
            Tag::HtmlBlock => {
                self.html.push_str("<p>");
                self.in_html_block = true;
            }
            Tag::Emphasis => self.html.push_str("<em>"),
            Tag::Strong => self.html.push_str("<strong>"),
            Tag::Strikethrough => self.html.push_str("<del>"),
            Tag::Link {
                link_type,
                dest_url,
                ..
            }
            | Tag::Image {
                link_type,
                dest_url,
                ..
            } => self.open_link(*link_type, dest_url),
            // Disabled extensions: their content is kept as plain flow.
            Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::Table(_)
            | Tag::TableHead
            | Tag::TableRow
            | Tag::TableCell
            | Tag::Superscript
            | Tag::Subscript
            | Tag::MetadataBlock(_) => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => self.html.push_str("</p>\n"),
            TagEnd::Heading(_) => self.html.push_str("</strong></p>\n"),
            TagEnd::BlockQuote(_) => self.close_container("</blockquote>\n"),
            TagEnd::List(true) => self.close_container("</ol>\n"),
            TagEnd::List(false) => self.close_container("</ul>\n"),
            TagEnd::Item => {
                if self.containers.last() == Some(&true) {
                    self.html.push_str("</li>\n");
                } else if !self.html.is_empty() && !self.html.ends_with('\n') {
                    // A flattened item: keep items on separate lines.
                    self.html.push_str("<br>\n");
                }
            }
            TagEnd::CodeBlock => {
                self.html.push_str("</code></pre>\n");
                self.in_code_block = false;
            }
            TagEnd::HtmlBlock => {
                if self.html.ends_with("<br>\n") {
                    self.html.truncate(self.html.len() - "<br>\n".len());
                }
                self.html.push_str("</p>\n");
                self.in_html_block = false;
            }
            TagEnd::Emphasis => self.html.push_str("</em>"),
            TagEnd::Strong => self.html.push_str("</strong>"),
            TagEnd::Strikethrough => self.html.push_str("</del>"),
            TagEnd::Link | TagEnd::Image => {
                if let Some(Some((content_start, shown))) = self.links.pop() {
                    if self.html.len() == content_start {
                        // `[](url)`, `![](url)`: show the URL, not an empty link.
                        escape_html(&mut self.html, &shown);
                        self.text.push_str(&shown);
                    }
                    self.html.push_str("</a>");
                    self.open_anchors -= 1;
                }
            }
            TagEnd::FootnoteDefinition
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::Table
            | TagEnd::TableHead
            | TagEnd::TableRow
            | TagEnd::TableCell
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::MetadataBlock(_) => {}
        }
        if !matches!(
            tag,
            TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Link
                | TagEnd::Image
                | TagEnd::Superscript
                | TagEnd::Subscript
        ) {
            // Block boundaries separate words in the plain text.
            self.text.push(' ');
        }
    }

    fn open_container(&mut self, tag: &str) {
        let written = self.depth < MAX_NESTING;
        if written {
            self.depth += 1;
            self.html.push_str(tag);
        }
        self.containers.push(written);
    }

    fn close_container(&mut self, tag: &str) {
        if self.containers.pop() == Some(true) {
            self.depth -= 1;
            self.html.push_str(tag);
        }
    }

    fn open_link(&mut self, link_type: LinkType, dest: &str) {
        let dest: Cow<'_, str> = if link_type == LinkType::Email {
            // `<someone@example.org>`: the parser gives the bare address.
            Cow::Owned(format!("mailto:{dest}"))
        } else {
            Cow::Borrowed(dest)
        };
        let href = if self.open_anchors == 0 {
            safe_href(&dest)
        } else {
            None // no links inside links: the inner one is text only
        };
        match href {
            Some(href) => {
                self.write_anchor_open(&href);
                self.open_anchors += 1;
                let shown = dest.trim().to_string();
                self.links.push(Some((self.html.len(), shown)));
            }
            None => self.links.push(None),
        }
    }

    fn write_anchor_open(&mut self, href: &str) {
        self.html.push_str("<a href=\"");
        escape_html(&mut self.html, href);
        self.html.push_str("\" rel=\"");
        self.html.push_str(LINK_REL);
        self.html.push_str("\">");
    }

    /// Write the coalesced pending text: escaped, with bare URLs and
    /// mentions turned into links unless inside code or a link.
    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.pending);
        self.text.push_str(&pending);
        if self.in_code_block || self.open_anchors > 0 {
            self.write_text(&pending);
        } else {
            self.write_linkified(&pending);
        }
    }

    fn write_text(&mut self, s: &str) {
        if self.in_html_block {
            // Raw HTML shown as text keeps its lines.
            let mut lines = s.split('\n');
            if let Some(first) = lines.next() {
                escape_html(&mut self.html, first);
            }
            for line in lines {
                self.html.push_str("<br>\n");
                escape_html(&mut self.html, line);
            }
        } else {
            escape_html(&mut self.html, s);
        }
    }

    /// One left-to-right pass: bare `http(s)://` URLs become links,
    /// resolved `@Name`s become mention links, the rest is text.
    fn write_linkified(&mut self, s: &str) {
        let mut plain_start = 0;
        let mut i = 0;
        while i < s.len() {
            let b = s.as_bytes()[i];
            let boundary = s[..i]
                .chars()
                .next_back()
                .is_none_or(|p| !p.is_alphanumeric());
            if (b == b'h' || b == b'H') && boundary {
                match scan_bare_url(&s[i..]) {
                    UrlScan::NotUrl => {}
                    UrlScan::Link(len, href) => {
                        self.write_text(&s[plain_start..i]);
                        self.write_anchor_open(&href);
                        escape_html(&mut self.html, &s[i..i + len]);
                        self.html.push_str("</a>");
                        i += len;
                        plain_start = i;
                        continue;
                    }
                    UrlScan::Text(len) => {
                        // Looks like a URL but is not one: all of it stays
                        // text, with no second try inside it (keeps this linear).
                        i += len;
                        continue;
                    }
                }
            } else if b == b'@' && mention_boundary(&s[..i]) {
                if let Some((name, id)) = self.mention_at(&s[i + 1..]) {
                    self.write_text(&s[plain_start..i]);
                    self.html.push_str("<a href=\"");
                    self.html.push_str(MENTION_PREFIX);
                    self.html.push_str(&id.to_string());
                    self.html.push_str("\" class=\"mention\">@");
                    escape_html(&mut self.html, name);
                    self.html.push_str("</a>");
                    if !self.mention_ids.contains(&id) {
                        self.mention_ids.push(id);
                    }
                    i += 1 + name.len();
                    plain_start = i;
                    continue;
                }
            }
            // Next char boundary.
            i += 1;
            while i < s.len() && !s.is_char_boundary(i) {
                i += 1;
            }
        }
        self.write_text(&s[plain_start..]);
    }

    /// The mention starting right after an `@`, if its name resolves: the
    /// whole run of name characters, or the run without trailing `._-`
    /// (so "@Mario." at the end of a sentence finds "Mario").
    fn mention_at<'s>(&mut self, after_at: &'s str) -> Option<(&'s str, i64)> {
        let run_len = after_at
            .char_indices()
            .find(|&(_, c)| !is_name_char(c))
            .map_or(after_at.len(), |(idx, _)| idx);
        let run = &after_at[..run_len];
        let trimmed = run.trim_end_matches(['.', '_', '-']);
        for candidate in [run, trimmed] {
            let chars = candidate.chars().count();
            if (2..=60).contains(&chars) {
                if let Some(id) = self.lookup(candidate) {
                    return Some((candidate, id));
                }
            }
            if trimmed.len() == run.len() {
                break;
            }
        }
        None
    }

    fn lookup(&mut self, name: &str) -> Option<i64> {
        if let Some(&answer) = self.resolved.get(name) {
            return answer;
        }
        if self.resolved.len() >= MAX_MENTION_LOOKUPS {
            return None;
        }
        let answer = self.resolver.resolve(name);
        self.resolved.insert(name.to_string(), answer);
        answer
    }
}

fn is_inline(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Link { .. }
            | Tag::Image { .. }
            | Tag::Superscript
            | Tag::Subscript
    )
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '_' | '-')
}

/// An `@` starts a mention only after a non-name character (so
/// "mario@example.org" is not one).
fn mention_boundary(before: &str) -> bool {
    before
        .chars()
        .next_back()
        .is_none_or(|p| !is_name_char(p) && !matches!(p, '@' | '/' | '\\'))
}

/// What [`scan_bare_url`] found.
enum UrlScan {
    /// Not even the start of a URL.
    NotUrl,
    /// A link: its length in the text, and its href.
    Link(usize, String),
    /// Looks like a URL but fails the link rules: this many bytes are text.
    Text(usize),
}

/// The bare URL at the start of `s`: from `http://`/`https://` to the first
/// space, control, `<`, `>`, `"`, or typographic quote, minus trailing
/// punctuation and unbalanced `)`, and only if it passes the link rules.
fn scan_bare_url(s: &str) -> UrlScan {
    let starts = |p: &str| s.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p));
    let prefix = if starts("http://") {
        "http://".len()
    } else if starts("https://") {
        "https://".len()
    } else {
        return UrlScan::NotUrl;
    };
    // Cheap early refusal, before scanning to the end.
    match s[prefix..].chars().next() {
        Some(c) if c.is_alphanumeric() || c == '[' => {}
        _ => return UrlScan::NotUrl,
    }
    let end = s
        .char_indices()
        .find(|&(_, c)| {
            c.is_whitespace()
                || c.is_control()
                || is_invisible(c)
                || matches!(c, '<' | '>' | '"' | '«' | '»' | '“' | '”' | '‘' | '’')
        })
        .map_or(s.len(), |(idx, _)| idx);
    let mut url = &s[..end];
    let open = url.matches('(').count();
    let mut close = url.matches(')').count();
    while let Some(last) = url.chars().next_back() {
        let trim = match last {
            '.' | ',' | ':' | ';' | '!' | '?' | '\'' | '*' | '_' | '~' | '…' => true,
            ')' => open < close,
            _ => false,
        };
        if !trim {
            break;
        }
        if last == ')' {
            close -= 1;
        }
        url = &url[..url.len() - last.len_utf8()];
    }
    match safe_href(url) {
        Some(href) => UrlScan::Link(url.len(), href),
        None => UrlScan::Text(end),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    /// Test resolver: a few known display names.
    fn people(name: &str) -> Option<i64> {
        match name {
            "Mario" => Some(7),
            "Giulia.B" => Some(9),
            "Zoë_Rossi-2" => Some(11),
            "Ölgür" => Some(12),
            _ => None,
        }
    }

    fn r(source: &str) -> Rendered {
        let out = render(source, &people);
        assert_safe(source, &out.html, true);
        out
    }

    fn html(source: &str) -> String {
        r(source).html
    }

    // ----- a small checker for the output HTML -------------------------

    struct Tag {
        name: String,
        closing: bool,
        attrs: Vec<(String, String)>,
    }

    /// Split the output into tags. Every `<` in safe output starts a tag
    /// (text `<` is escaped), so anything else is reported as a tag too.
    fn tags(html: &str) -> Vec<Tag> {
        let mut out = Vec::new();
        let b = html.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] != b'<' {
                i += 1;
                continue;
            }
            i += 1;
            let closing = b.get(i) == Some(&b'/');
            if closing {
                i += 1;
            }
            let start = i;
            while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' && b[i] != b'/' {
                i += 1;
            }
            let name = html[start..i].to_ascii_lowercase();
            let mut attrs = Vec::new();
            loop {
                while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
                    i += 1;
                }
                if i >= b.len() || b[i] == b'>' {
                    i += 1;
                    break;
                }
                let ns = i;
                while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>') {
                    i += 1;
                }
                let aname = html[ns..i].to_ascii_lowercase();
                let mut value = String::new();
                if b.get(i) == Some(&b'=') {
                    i += 1;
                    match b.get(i) {
                        Some(&q) if q == b'"' || q == b'\'' => {
                            i += 1;
                            let vs = i;
                            while i < b.len() && b[i] != q {
                                i += 1;
                            }
                            value = html[vs..i.min(b.len())].to_string();
                            i += 1;
                        }
                        _ => {
                            let vs = i;
                            while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                                i += 1;
                            }
                            value = html[vs..i].to_string();
                        }
                    }
                }
                attrs.push((aname, value));
            }
            out.push(Tag {
                name,
                closing,
                attrs,
            });
        }
        out
    }

    /// The only entities the serializer may use in an attribute value; a
    /// numeric entity could hide a scheme from a naive check.
    fn decode_attr(value: &str) -> String {
        let mut rest = value;
        let mut out = String::new();
        while let Some(pos) = rest.find('&') {
            out.push_str(&rest[..pos]);
            rest = &rest[pos..];
            let (entity, ch) = [
                ("&amp;", '&'),
                ("&quot;", '"'),
                ("&lt;", '<'),
                ("&gt;", '>'),
            ]
            .into_iter()
            .find(|(e, _)| rest.starts_with(e))
            .unwrap_or_else(|| panic!("unexpected entity in attribute {value:?}"));
            out.push(ch);
            rest = &rest[entity.len()..];
        }
        out.push_str(rest);
        out
    }

    fn is_mention_href(href: &str) -> bool {
        href.strip_prefix(MENTION_PREFIX)
            .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit() || b == b'-'))
    }

    /// All hrefs in the output, entity-decoded.
    fn hrefs(html: &str) -> Vec<String> {
        tags(html)
            .into_iter()
            .flat_map(|t| t.attrs)
            .filter(|(n, _)| n == "href")
            .map(|(_, v)| decode_attr(&v))
            .collect()
    }

    /// The invariants every output must satisfy, whatever the input.
    ///
    /// `from_render`: the HTML is ours, so every `<a>` must have an `href`
    /// (ammonia stripping one would mean our link rules and its disagree).
    fn assert_safe(input: &str, html: &str, from_render: bool) {
        let lower = html.to_ascii_lowercase();
        for bad in [
            "<script", "<img", "<svg", "<iframe", "<style", "<details", "<!--", "<object",
            "<embed", "<form", "<input", "<math", "<base", "<link", "<meta", "<h1", "<h2", "<h3",
            "<h4", "<h5", "<h6", "<hr", "<table",
        ] {
            assert!(
                !lower.contains(bad),
                "{bad} in output for {input:?}:\n{html}"
            );
        }
        for tag in tags(html) {
            assert!(
                // Our own list, not the sanitizer's constant: a tag added
                // there by mistake must fail here.
                [
                    "p",
                    "br",
                    "em",
                    "strong",
                    "del",
                    "code",
                    "pre",
                    "blockquote",
                    "ul",
                    "ol",
                    "li",
                    "a"
                ]
                .contains(&tag.name.as_str()),
                "tag <{}> for {input:?}:\n{html}",
                tag.name
            );
            if tag.closing {
                assert!(tag.attrs.is_empty(), "attrs on a closing tag: {html}");
                continue;
            }
            for (name, value) in &tag.attrs {
                assert!(
                    !(name.starts_with("on") && name.len() > 2),
                    "event handler {name} for {input:?}:\n{html}"
                );
                let allowed = tag.name == "a" && ["href", "rel", "class"].contains(&name.as_str());
                assert!(
                    allowed,
                    "attribute {name}={value:?} on <{}> for {input:?}:\n{html}",
                    tag.name
                );
            }
            if tag.name != "a" {
                continue;
            }
            let get = |n: &str| {
                tag.attrs
                    .iter()
                    .find(|(k, _)| k == n)
                    .map(|(_, v)| decode_attr(v))
            };
            let rel = get("rel");
            assert_eq!(rel.as_deref(), Some(LINK_REL), "rel for {input:?}:\n{html}");
            let Some(href) = get("href") else {
                assert!(!from_render, "<a> without href for {input:?}:\n{html}");
                continue;
            };
            let class = get("class");
            match class.as_deref() {
                Some("mention") => {
                    assert!(is_mention_href(&href), "mention href {href:?}: {html}")
                }
                Some(other) => panic!("class {other:?} for {input:?}:\n{html}"),
                None => {
                    let h = href.to_ascii_lowercase();
                    assert!(
                        h.starts_with("http://")
                            || h.starts_with("https://")
                            || h.starts_with("mailto:"),
                        "href {href:?} for {input:?}:\n{html}"
                    );
                    assert!(
                        !href
                            .chars()
                            .any(|c| c.is_control() || c.is_whitespace() || is_invisible(c)),
                        "href {href:?} for {input:?}"
                    );
                }
            }
        }
    }

    // ----- the XSS list ------------------------------------------------

    const XSS: &[&str] = &[
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](java\tscript:alert(1))",
        "[x](<java\tscript:alert(1)>)",
        "[x](&#106;avascript:alert(1))",
        "[x](&#x6A;avascript:alert(1))",
        "[x](&#0000106;avascript:alert(1))",
        "[x](javascript&colon;alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[x](vbscript:msgbox(1))",
        "[x](file:///etc/passwd)",
        "[x](\u{1}javascript:alert(1))",
        "[x](<\u{0}javascript:alert(1)>)",
        "[x]( javascript:alert(1))",
        "[x](<javascript:alert(1)>)",
        "[x](java\u{200B}script:alert(1))",
        "[x](\\javascript:alert(1))",
        "[x](//evil.example)",
        "[x](/relative)",
        "[x](relative/path)",
        "[x](#fragment)",
        "![x](javascript:alert(1))",
        "![x](data:image/svg+xml,<svg onload=alert(1)>)",
        "[![x](javascript:alert(1))](javascript:alert(2))",
        "<javascript:alert(1)>",
        "<JAVASCRIPT:alert(1)>",
        "<svg onload=alert(1)>",
        "<iframe src=//evil>",
        "\"><script>alert(1)</script>",
        "'\"><img src=x onerror=alert(1)>",
        "<a href=x onclick=alert(1)>",
        "[x](https://ok.example \"title\\\" onmouseover=\\\"alert(1)\")",
        "[x](https://ok.example\"onmouseover=\"alert(1))",
        "[x](<https://ok.example\" onmouseover=\"alert(1)>)",
        "[x](https://ok.example 'a' onmouseover='alert(1)')",
        "<details open ontoggle=alert(1)>",
        "<!-- <script>alert(1)</script> -->",
        "text <!-- comment --> more",
        "<!--\n<img src=x onerror=alert(1)>\n-->",
        "<style>body{background:url(javascript:alert(1))}</style>",
        "<style>@import 'https://evil.example/x.css';</style>",
        "[unclosed](",
        "[unclosed](javascript:alert(1)",
        "**unclosed",
        "*a **b",
        "`unclosed <script>",
        "```\n<script>alert(1)</script>",
        "> <script>alert(1)</script>\n>> <img src=x onerror=alert(1)>\n>>> <svg onload=alert(1)>",
        "> - <iframe src=//evil>\n>   > <details ontoggle=alert(1)>",
        "[\u{202E}lmth.exe](https://ok.example)",
        "[x](https://ok.example/\u{202E}gpj.exe)",
        "\u{202E}https://ok.example",
        "[x](java\u{200B}script:alert(1))",
        "[x](java\u{200D}script:alert(1))",
        "[x](\u{FEFF}javascript:alert(1))",
        "a < b && c > d & e",
        "<",
        "&",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "&#60;script&#62;alert(1)&#60;/script&#62;",
        "<scr<script>ipt>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "<body onload=alert(1)>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
        "<form action=javascript:alert(1)><input type=submit>",
        "<object data=javascript:alert(1)>",
        "<embed src=javascript:alert(1)>",
        "<base href=javascript:/>",
        "<meta http-equiv=refresh content=0;url=javascript:alert(1)>",
        "<a href=\"javas&#99;ript:alert(1)\">x</a>",
        "[a](https://ok.example)<img src=x onerror=alert(1)>",
        "**<img src=x onerror=alert(1)>**",
        "# <script>alert(1)</script>",
        "Heading\n=======\n<img src=x onerror=alert(1)>",
        "- [x](javascript:alert(1))\n- ![y](vbscript:x)",
        "[ref]: javascript:alert(1)\n\n[x][ref]",
        "[ref]: https://ok.example \"t\\\" onclick=\\\"x\"\n\n[x][ref]",
        "@<script>alert(1)</script>",
        "@Mario<img src=x onerror=alert(1)>",
        "https://ok.example/\"><script>alert(1)</script>",
        "https://ok.example/<img src=x onerror=alert(1)>",
        "`<a href=\"javascript:alert(1)\">`",
        "    <script>alert(1)</script>",
        "<http://ok.example/\"onmouseover=\"alert(1)>",
        "<mailto:x@ok.example?body=<script>>",
    ];

    #[test]
    fn xss_list_is_neutralised() {
        for input in XSS {
            let out = r(input);
            for href in hrefs(&out.html) {
                let h = href.to_ascii_lowercase();
                for scheme in ["javascript:", "data:", "vbscript:", "file:"] {
                    assert!(
                        !h.contains(scheme),
                        "{scheme} in href {href:?} for {input:?}"
                    );
                }
            }
            let lower = out.html.to_ascii_lowercase();
            assert!(!lower.contains("target="), "{input:?}: {}", out.html);
            assert!(!lower.contains("style="), "{input:?}: {}", out.html);
        }
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        assert_eq!(
            html("<script>alert(1)</script>"),
            "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
        );
        assert_eq!(
            html("x <img src=x onerror=alert(1)> y"),
            "<p>x &lt;img src=x onerror=alert(1)&gt; y</p>\n"
        );
        assert_eq!(
            html("<div>\n<b>hi</b>\n</div>"),
            "<p>&lt;div&gt;<br>\n&lt;b&gt;hi&lt;/b&gt;<br>\n&lt;/div&gt;</p>\n"
        );
        assert_eq!(html("<!-- c -->"), "<p>&lt;!-- c --&gt;</p>\n");
        assert_eq!(r("<b>bold</b>").text, "<b>bold</b>");
    }

    #[test]
    fn text_special_characters_are_escaped() {
        assert_eq!(html("a < b & c > d"), "<p>a &lt; b &amp; c &gt; d</p>\n");
        assert_eq!(html("&amp; &lt;"), "<p>&amp; &lt;</p>\n");
        assert_eq!(r("&amp; &lt; &#65;").text, "& < A");
        // Quotes are harmless in text; ammonia may write them literally.
        let out = html("\"quoted\" 'single'");
        assert!(out.contains("quoted") && out.contains("single"), "{out}");
    }

    #[test]
    fn refused_links_become_their_text() {
        for input in [
            "[click](javascript:alert(1))",
            "[click](JaVaScRiPt:alert(1))",
            "[click](<java\tscript:alert(1)>)",
            "[click](&#106;avascript:alert(1))",
            "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            "[click](vbscript:msgbox(1))",
            "[click](file:///etc/passwd)",
            "[click](/relative)",
            "[click](//evil.example)",
            "[click](ftp://ok.example)",
            "[click](https:)",
            "[click](https:/ok.example)",
            "[click](https:///ok.example)",
            "[click](mailto:)",
            "[click](java\u{200B}script:alert(1))",
            "[click](https://ok.example@evil.example)",
        ] {
            assert_eq!(html(input), "<p>click</p>\n", "{input:?}");
            assert_eq!(r(input).text, "click");
        }
        // A tab in a plain destination means it is not a link at all.
        assert_eq!(
            html("[click](java\tscript:alert(1))"),
            "<p>[click](java\tscript:alert(1))</p>\n"
        );
        assert_eq!(html("![a cat](javascript:alert(1))"), "<p>a cat</p>\n");
    }

    #[test]
    fn safe_href_rules() {
        let ok = |u: &str| safe_href(u).unwrap_or_else(|| panic!("refused {u:?}"));
        assert_eq!(ok("https://ok.example"), "https://ok.example");
        assert_eq!(ok("  HTTP://ok.example/x  "), "HTTP://ok.example/x");
        assert_eq!(
            ok("http://ok.example:8080/x?y=1&z=2#f"),
            "http://ok.example:8080/x?y=1&z=2#f"
        );
        assert_eq!(ok("mailto:a@ok.example"), "mailto:a@ok.example");
        assert_eq!(
            ok("MailTo:a@ok.example?subject=ciao"),
            "MailTo:a@ok.example?subject=ciao"
        );
        assert_eq!(ok("\u{1}https://ok.example"), "https://ok.example");
        assert_eq!(
            ok("https://ok.example/città"),
            "https://ok.example/citt%C3%A0"
        );
        assert_eq!(ok("https://città.example/"), "https://citt%C3%A0.example/");
        assert_eq!(
            ok("https://ok.example/a\"b<c>d e"),
            "https://ok.example/a%22b%3Cc%3Ed%20e"
        );
        assert_eq!(ok("http://[::1]/"), "http://[::1]/");
        for bad in [
            "javascript:alert(1)",
            "JAVASCRIPT:alert(1)",
            " javascript:alert(1)",
            "\u{0}javascript:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "java\u{200B}script:alert(1)",
            "&#106;avascript:alert(1)",
            "javascript&colon;alert(1)",
            "data:text/html,x",
            "vbscript:x",
            "file:///etc/passwd",
            "//evil.example",
            "/local",
            "local",
            "",
            ":",
            "http:",
            "http:evil.example",
            "https:/evil.example",
            "https:///evil.example",
            "https://",
            "https:// evil",
            "https://\\evil",
            "https://@evil",
            "https://ok.example@evil.example",
            "https://user:pw@evil.example",
            "http://vbscript:mailto",
            "https://ok.example:99999",
            "https://ok.example/\u{202E}x",
            "https://ok.\u{200B}example",
            "http\t://ok.example",
            "mailto:",
            "mailto: x",
        ] {
            assert_eq!(safe_href(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn links_work_and_carry_rel() {
        assert_eq!(
            html("[Comune](https://www.comune.bologna.it/servizi)"),
            "<p><a href=\"https://www.comune.bologna.it/servizi\" rel=\"nofollow ugc noopener\">Comune</a></p>\n"
        );
        assert_eq!(
            html("[scrivi](mailto:urp@comune.bologna.it)"),
            "<p><a href=\"mailto:urp@comune.bologna.it\" rel=\"nofollow ugc noopener\">scrivi</a></p>\n"
        );
        // The title is dropped; the link stays.
        assert_eq!(
            html("[x](https://ok.example \"a title\")"),
            "<p><a href=\"https://ok.example\" rel=\"nofollow ugc noopener\">x</a></p>\n"
        );
        // Reference links.
        assert_eq!(
            html("[x][r]\n\n[r]: https://ok.example/r"),
            "<p><a href=\"https://ok.example/r\" rel=\"nofollow ugc noopener\">x</a></p>\n"
        );
        // Autolinks and email autolinks.
        assert_eq!(
            html("<https://ok.example/a>"),
            "<p><a href=\"https://ok.example/a\" rel=\"nofollow ugc noopener\">https://ok.example/a</a></p>\n"
        );
        assert_eq!(
            html("<urp@comune.bologna.it>"),
            "<p><a href=\"mailto:urp@comune.bologna.it\" rel=\"nofollow ugc noopener\">urp@comune.bologna.it</a></p>\n"
        );
        // Formatting inside link text.
        assert_eq!(
            html("[**big** `x`](https://ok.example)"),
            "<p><a href=\"https://ok.example\" rel=\"nofollow ugc noopener\"><strong>big</strong> <code>x</code></a></p>\n"
        );
        // An empty link shows its URL.
        assert_eq!(
            html("[](https://ok.example)"),
            "<p><a href=\"https://ok.example\" rel=\"nofollow ugc noopener\">https://ok.example</a></p>\n"
        );
        // Attribute-breaking characters in a URL are encoded.
        let out = html("[x](<https://ok.example/a\"b c'd>)");
        assert_eq!(hrefs(&out), ["https://ok.example/a%22b%20c'd"], "{out}");
        // Non-ASCII is percent-encoded.
        let out = html("[x](https://ok.example/città)");
        assert_eq!(hrefs(&out), ["https://ok.example/citt%C3%A0"], "{out}");
        // Never a target attribute.
        assert!(!out.contains("target"));
    }

    #[test]
    fn images_become_links() {
        assert_eq!(
            html("![una foto](https://img.example/a.png)"),
            "<p><a href=\"https://img.example/a.png\" rel=\"nofollow ugc noopener\">una foto</a></p>\n"
        );
        assert_eq!(
            html("![](https://img.example/a.png)"),
            "<p><a href=\"https://img.example/a.png\" rel=\"nofollow ugc noopener\">https://img.example/a.png</a></p>\n"
        );
        // Image inside a link: one link (no nested <a>), alt as its text.
        assert_eq!(
            html("[![alt](https://img.example/a.png)](https://ok.example)"),
            "<p><a href=\"https://ok.example\" rel=\"nofollow ugc noopener\">alt</a></p>\n"
        );
        assert_eq!(r("![una foto](https://img.example/a.png)").text, "una foto");
        // The "clickable badge" pattern with no alt text: not an empty link.
        assert_eq!(
            html("[![](https://img.example/a.png)](https://ok.example)"),
            "<p><a href=\"https://ok.example\" rel=\"nofollow ugc noopener\">https://ok.example</a></p>\n"
        );
    }

    #[test]
    fn bare_urls_are_linkified() {
        assert_eq!(
            html("vedi https://ok.example/a?b=1&c=2 ora"),
            "<p>vedi <a href=\"https://ok.example/a?b=1&amp;c=2\" rel=\"nofollow ugc noopener\">https://ok.example/a?b=1&amp;c=2</a> ora</p>\n"
        );
        // Trailing punctuation and unbalanced parentheses stay outside.
        assert_eq!(
            html("(vedi https://ok.example/x). Poi"),
            "<p>(vedi <a href=\"https://ok.example/x\" rel=\"nofollow ugc noopener\">https://ok.example/x</a>). Poi</p>\n"
        );
        assert_eq!(
            hrefs(&html("https://it.wikipedia.org/wiki/Bologna_(città)!")),
            ["https://it.wikipedia.org/wiki/Bologna_(citt%C3%A0)"]
        );
        assert_eq!(
            hrefs(&html("«https://ok.example/a» e \"https://ok.example/b\"")),
            ["https://ok.example/a", "https://ok.example/b"]
        );
        assert_eq!(hrefs(&html("HTTP://OK.EXAMPLE")), ["HTTP://OK.EXAMPLE"]);
        // URLs spanning emphasis-like characters and entities.
        assert_eq!(
            hrefs(&html("https://ok.example/a_b_c/d&amp;e")),
            ["https://ok.example/a_b_c/d&e"]
        );
        // Not linkified: no host, glued to a word, other schemes.
        for input in [
            "https://",
            "https:// x",
            "xhttps://ok.example",
            "javascript:alert(1)",
            "ftp://ok.example",
            "www.ok.example",
        ] {
            assert!(hrefs(&html(input)).is_empty(), "{input:?}");
        }
        // Not inside code, code blocks or existing links.
        assert_eq!(
            html("`https://ok.example`"),
            "<p><code>https://ok.example</code></p>\n"
        );
        assert_eq!(
            html("```\nhttps://ok.example\n```"),
            "<pre><code>https://ok.example\n</code></pre>\n"
        );
        assert_eq!(
            hrefs(&html("[see https://a.example](https://b.example)")),
            ["https://b.example"]
        );
        assert_eq!(r("vedi https://ok.example").text, "vedi https://ok.example");
    }

    #[test]
    fn mentions_resolved_and_listed_once() {
        let out = r("@Mario ciao, @Giulia.B. e @Mario di nuovo; @nessuno");
        assert_eq!(out.mentions, vec![7, 9]);
        assert_eq!(
            out.html,
            "<p><a href=\"/utenti/7\" class=\"mention\" rel=\"nofollow ugc noopener\">@Mario</a> ciao, \
             <a href=\"/utenti/9\" class=\"mention\" rel=\"nofollow ugc noopener\">@Giulia.B</a>. e \
             <a href=\"/utenti/7\" class=\"mention\" rel=\"nofollow ugc noopener\">@Mario</a> di nuovo; @nessuno</p>\n"
        );
        assert_eq!(
            out.text,
            "@Mario ciao, @Giulia.B. e @Mario di nuovo; @nessuno"
        );
        // Unicode names.
        let out = r("grazie @Zoë_Rossi-2 e @Ölgür!");
        assert_eq!(out.mentions, vec![11, 12]);
        // Order of first appearance.
        assert_eq!(r("@Giulia.B @Mario @Giulia.B").mentions, vec![9, 7]);
    }

    #[test]
    fn mentions_not_in_code_links_or_emails() {
        for input in [
            "`@Mario`",
            "```\n@Mario\n```",
            "    @Mario",
            "[@Mario](https://ok.example)",
            "mario@Mario.example",
            "x@Mario",
            "@@Mario",
            "https://ok.example/@Mario",
            "@M",
            "@Mariox",
        ] {
            let out = r(input);
            assert!(out.mentions.is_empty(), "{input:?}: {:?}", out.mentions);
            assert!(!out.html.contains("mention"), "{input:?}: {}", out.html);
        }
        // Resolved in emphasis, headings, quotes and lists.
        assert_eq!(r("*@Mario*").mentions, vec![7]);
        assert_eq!(r("# @Mario").mentions, vec![7]);
        assert_eq!(r("> - @Mario").mentions, vec![7]);
        assert_eq!(r("(@Mario)").mentions, vec![7]);
    }

    #[test]
    fn mention_names_are_2_to_60_chars() {
        let long60 = "a".repeat(60);
        let long61 = "a".repeat(61);
        let resolver = |n: &str| (n.starts_with('a') || n == "ab").then_some(1);
        assert_eq!(render(&format!("@{long60}"), &resolver).mentions, vec![1]);
        assert!(render(&format!("@{long61}"), &resolver).mentions.is_empty());
        assert_eq!(render("@ab", &resolver).mentions, vec![1]);
        assert!(render("@a", &resolver).mentions.is_empty());
        // NoMentions resolves nothing.
        let out = render("@Mario", &NoMentions);
        assert!(out.mentions.is_empty());
        assert_eq!(out.html, "<p>@Mario</p>\n");
    }

    #[test]
    fn mention_lookups_are_cached_and_capped() {
        use std::cell::Cell;
        let calls = Cell::new(0);
        let resolver = |_: &str| {
            calls.set(calls.get() + 1);
            None
        };
        render("@Mario @Mario @Mario @Mario", &resolver);
        assert_eq!(calls.get(), 1);
        calls.set(0);
        let many: String = (0..1000).map(|i| format!("@user{i} ")).collect();
        render(&many, &resolver);
        assert_eq!(calls.get(), MAX_MENTION_LOOKUPS);
    }

    #[test]
    fn headings_are_demoted() {
        for level in 1..=6 {
            let src = format!("{} Titolo *bello*", "#".repeat(level));
            assert_eq!(
                html(&src),
                "<p><strong>Titolo <em>bello</em></strong></p>\n"
            );
        }
        assert_eq!(html("Titolo\n======"), "<p><strong>Titolo</strong></p>\n");
        assert_eq!(html("Titolo\n------"), "<p><strong>Titolo</strong></p>\n");
        assert_eq!(html("####### seven"), "<p>####### seven</p>\n");
        assert_eq!(r("# Titolo\n\ntesto").text, "Titolo testo");
    }

    #[test]
    fn code_escapes_its_content() {
        assert_eq!(
            html("```html\n<script>alert('x') & \"y\"</script>\n```"),
            "<pre><code>&lt;script&gt;alert('x') &amp; \"y\"&lt;/script&gt;\n</code></pre>\n"
        );
        assert_eq!(
            html("    <b>indented</b>"),
            "<pre><code>&lt;b&gt;indented&lt;/b&gt;</code></pre>\n"
        );
        assert_eq!(
            html("usa `<b>` e `**non grassetto**`"),
            "<p>usa <code>&lt;b&gt;</code> e <code>**non grassetto**</code></p>\n"
        );
        // No language class leaks out.
        assert!(!html("```rust\nfn x() {}\n```").contains("class"));
        assert_eq!(r("```\na  b\n\nc\n```").text, "a b c");
    }

    #[test]
    fn inline_formatting() {
        assert_eq!(
            html("*em* _em_ **strong** __strong__ ~~del~~"),
            "<p><em>em</em> <em>em</em> <strong>strong</strong> <strong>strong</strong> <del>del</del></p>\n"
        );
        assert_eq!(html("**unclosed"), "<p>**unclosed</p>\n");
        assert_eq!(html("[unclosed]("), "<p>[unclosed](</p>\n");
    }

    #[test]
    fn paragraphs_and_line_breaks() {
        assert_eq!(html("uno\ndue\n\ntre"), "<p>uno<br>\ndue</p>\n<p>tre</p>\n");
        assert_eq!(html("uno\\\ndue"), "<p>uno<br>\ndue</p>\n");
        assert_eq!(r("uno\ndue\n\ntre").text, "uno due tre");
    }

    #[test]
    fn quotes_and_lists() {
        assert_eq!(
            html("> a\n>> b"),
            "<blockquote>\n<p>a</p>\n<blockquote>\n<p>b</p>\n</blockquote>\n</blockquote>\n"
        );
        assert_eq!(
            html("- a\n  - b\n- c"),
            "<ul>\n<li>a<ul>\n<li>b</li>\n</ul>\n</li>\n<li>c</li>\n</ul>\n"
        );
        // Ordered lists: no start attribute (not in the allow-list).
        assert_eq!(html("3. a\n4. b"), "<ol>\n<li>a</li>\n<li>b</li>\n</ol>\n");
        assert_eq!(
            html("1. a\n\n   > q"),
            "<ol>\n<li><p>a</p>\n<blockquote>\n<p>q</p>\n</blockquote>\n</li>\n</ol>\n"
        );
        assert_eq!(r("- a\n  - b\n- c").text, "a b c");
    }

    #[test]
    fn disabled_constructs() {
        // Tables stay text.
        let out = html("| a | b |\n|---|---|\n| 1 | 2 |");
        assert!(!out.contains("<table"), "{out}");
        // Footnotes stay text.
        let out = html("x[^1]\n\n[^1]: note");
        assert!(!out.contains("sup") && !out.contains("footnote"), "{out}");
        // Task lists are plain lists.
        assert!(!html("- [ ] todo").contains("input"));
        // Thematic breaks vanish.
        assert_eq!(html("a\n\n---\n\nb"), "<p>a</p>\n<p>b</p>\n");
    }

    #[test]
    fn deep_nesting_is_flattened() {
        let src = format!("{} deep", ">".repeat(100));
        let out = html(&src);
        assert_eq!(out.matches("<blockquote>").count(), MAX_NESTING);
        assert_eq!(out.matches("</blockquote>").count(), MAX_NESTING);
        assert!(out.contains("deep"));
        let src = format!("{}x", "- ".repeat(100));
        let out = html(&src);
        assert_eq!(out.matches("<ul>").count(), MAX_NESTING);
        assert_eq!(out.matches("<li>").count(), MAX_NESTING);
        // Flattened items stay on their own lines.
        let mut src = String::new();
        for depth in 0..=MAX_NESTING {
            src.push_str(&"  ".repeat(depth));
            src.push_str("- item\n");
        }
        src.push_str(&"  ".repeat(MAX_NESTING));
        src.push_str("- other\n");
        let out = html(&src);
        assert!(out.contains("item<br>\nother"), "{out}");
    }

    #[test]
    fn unicode_tricks_are_removed() {
        let out = r("[\u{202E}lmth.exe](https://ok.example)");
        assert!(!out.html.contains('\u{202E}'));
        assert_eq!(out.text, "lmth.exe");
        // Zero-width chars are removed before parsing, so this is just text.
        let out = r("java\u{200B}script:alert(1) and [x](java\u{200B}script:alert(1))");
        assert!(hrefs(&out.html).is_empty(), "{}", out.html);
        assert!(!out.html.contains('\u{200B}'));
        // Invisible chars end a bare URL.
        assert_eq!(
            hrefs(&render("https://ok.example\u{2066}x", &NoMentions).html),
            ["https://ok.examplex"]
        );
    }

    #[test]
    fn sanitizer_is_defence_in_depth() {
        // Even if our writer produced these, ammonia would clean them.
        let dirty = "<p onclick=\"x\" class=\"c\" style=\"s\">a</p>\
            <a href=\"javascript:alert(1)\">j</a>\
            <a href=\"/utenti/7\" class=\"mention evil\">m</a>\
            <a href=\"/admin\" class=\"mention\">r</a>\
            <a href=\"//evil.example\">p</a>\
            <a href=\"https://ok.example\" target=\"_blank\" rel=\"opener\">t</a>\
            <img src=x><script>alert(1)</script><style>x</style><h1>h</h1>\
            <!-- c --><table><tr><td>t</td></tr></table>";
        let out = SANITIZER.clean(dirty).to_string();
        assert_safe(dirty, &out, false);
        assert!(!out.contains("alert"), "{out}");
        assert!(!out.contains("/admin") && !out.contains("evil"), "{out}");
        assert!(out.contains("href=\"/utenti/7\""), "{out}");
        assert!(!out.contains("target"), "{out}");
    }

    #[test]
    fn plain_text_strips_markdown() {
        let out = r(
            "# Titolo\n\n**Ciao** *a tutti*, vedi [il sito](https://ok.example) e `code`.\n\n> citazione\n\n- uno\n- due",
        );
        assert_eq!(
            out.text,
            "Titolo Ciao a tutti, vedi il sito e code. citazione uno due"
        );
        assert_eq!(r("**a**b").text, "ab");
        assert_eq!(r("").text, "");
        assert_eq!(r("").html, "");
        assert_eq!(r("   \n\n  ").text, "");
    }

    // ----- normalize / clean_title -------------------------------------

    #[test]
    fn normalize_rules() {
        assert_eq!(normalize("a\r\nb\rc"), "a\nb\nc");
        assert_eq!(
            normalize("a\u{0}b\u{7}c\u{1b}[31md\u{7f}e\u{85}f"),
            "abc[31mdef"
        );
        assert_eq!(normalize("a\tb"), "a\tb");
        assert_eq!(
            normalize(
                "a\u{202A}b\u{202B}c\u{202C}d\u{202D}e\u{202E}f\u{2066}g\u{2067}h\u{2068}i\u{2069}j"
            ),
            "abcdefghij"
        );
        assert_eq!(
            normalize("a\u{200B}b\u{200C}c\u{200D}d\u{2060}e\u{FEFF}f"),
            "abcdef"
        );
        // NFC, also when a removed char separated base and mark.
        assert_eq!(normalize("e\u{301}"), "\u{e9}");
        assert_eq!(normalize("e\u{200B}\u{301}"), "\u{e9}");
        assert_eq!(normalize("a  \nb\t\n c \u{a0}"), "a\nb\n c");
        assert_eq!(normalize("a\n\n\n\n\nb"), "a\n\n\nb");
        assert_eq!(normalize("a\n\n \n\t\nb"), "a\n\n\nb");
        assert_eq!(normalize("a\n\nb"), "a\n\nb");
        assert_eq!(normalize("\n\n  \na\n\n\n"), "a");
        assert_eq!(normalize("    code"), "    code");
        assert_eq!(normalize(""), "");
    }

    #[test]
    fn clean_title_rules() {
        assert_eq!(
            clean_title("  Una\tproposta\n per\r\nBologna  ", 100),
            "Una proposta per Bologna"
        );
        assert_eq!(clean_title("a\u{0}b\u{7}c\u{202E}d\u{200B}e", 100), "abcde");
        assert_eq!(clean_title("<b>not markup</b>", 100), "<b>not markup</b>");
        assert_eq!(clean_title("abcdef", 3), "abc");
        assert_eq!(clean_title("ab cdef", 3), "ab");
        assert_eq!(clean_title("città", 4), "citt");
        assert_eq!(clean_title("e\u{301}x", 1), "\u{e9}");
        assert_eq!(clean_title("x", 0), "");
        assert_eq!(clean_title(" \n\t ", 10), "");
    }

    // ----- pathological inputs -----------------------------------------

    fn finishes(name: &str, input: &str) {
        let start = Instant::now();
        let out = render(input, &people);
        let elapsed = start.elapsed();
        eprintln!("{name}: {} bytes in {elapsed:?}", input.len());
        assert!(elapsed < Duration::from_secs(5), "{name}: {elapsed:?}");
        assert_safe(name, &out.html, true);
    }

    #[test]
    fn pathological_inputs_finish() {
        let line = format!("{} quote\n", ">".repeat(10_000));
        finishes("nested quotes", &line.repeat(10));
        finishes("stars", &"*".repeat(50_000));
        finishes("brackets", &"[".repeat(50_000));
        finishes("open links", &"[a](".repeat(25_000));
        finishes("link-ish", &"[a]".repeat(30_000));
        finishes("close brackets", &"](".repeat(50_000));
        finishes("emphasis mix", &"*a**b_".repeat(20_000));
        finishes("backticks", &"`".repeat(50_000));
        finishes("backtick runs", &"`a``b".repeat(20_000));
        finishes("nested lists", &"- ".repeat(50_000));
        finishes("nested ordered", &"1. ".repeat(30_000));
        finishes("html", &"<a ".repeat(30_000));
        finishes("comments", &"<!--".repeat(25_000));
        finishes("entities", &"&#106;".repeat(20_000));
        finishes("mentions", &"@Mario".repeat(20_000));
        finishes("mention runs", &"@a.".repeat(30_000));
        finishes("urls", &"https://a.example ".repeat(6_000));
        finishes(
            "url parens",
            &format!("https://a.example/{}", ")".repeat(50_000)),
        );
        finishes("failed urls", &"http:///".repeat(12_000));
        finishes("invalid urls", &"https://a:b/".repeat(10_000));
        finishes("url restarts", &"/https://a".repeat(10_000));
        finishes("newlines", &"a\n".repeat(50_000));
        finishes("reference defs", &"[a]: b\n".repeat(15_000));
    }

    // ----- deterministic fuzz ------------------------------------------

    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            x
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    const FRAGMENTS: &[&str] = &[
        "<",
        ">",
        "\"",
        "'",
        "`",
        "```",
        "javascript:",
        "JaVaScRiPt:",
        "java\tscript:",
        "data:",
        "vbscript:",
        "[",
        "]",
        "](",
        ")",
        "(",
        "![",
        "@",
        "@Mario",
        "@Giulia.B",
        "*",
        "**",
        "_",
        "~~",
        "\n",
        "\n\n",
        "\r\n",
        "&#",
        "&#106;",
        "&#x6A;",
        "&colon;",
        "&amp;",
        ";",
        "on",
        "onerror",
        "onload",
        "=",
        " ",
        "\t",
        "    ",
        "x",
        "alert(1)",
        "http://",
        "https://",
        "mailto:",
        "ok.example",
        "//",
        "/",
        "\\",
        "#",
        "# ",
        "> ",
        "- ",
        "1. ",
        "<script>",
        "</script>",
        "<img src=x ",
        "<a href=",
        "<svg",
        "<!--",
        "-->",
        "<style>",
        "<details ",
        "<iframe ",
        "\u{0}",
        "\u{1}",
        "\u{7f}",
        "\u{85}",
        "\u{202E}",
        "\u{202A}",
        "\u{2066}",
        "\u{200B}",
        "\u{200D}",
        "\u{2060}",
        "\u{FEFF}",
        "\u{301}",
        "é",
        "città",
        "日本",
        "🙂",
        "«",
        "»",
        "<http://ok.example>",
        "<a@b.c>",
        "[r]: ",
        "|",
        "---",
        "\\\n",
    ];

    #[test]
    fn fuzz_invariants() {
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        for _ in 0..2_000 {
            let n = 1 + rng.below(40);
            let input: String = (0..n)
                .map(|_| FRAGMENTS[rng.below(FRAGMENTS.len())])
                .collect();
            let out = r(&input);
            // Mentions are unique and only from the resolver's ids.
            let mut seen = HashSet::new();
            for id in &out.mentions {
                assert!(seen.insert(*id), "duplicate mention for {input:?}");
                assert!([7, 9].contains(id));
            }
            // Plain text: collapsed and free of controls.
            assert_eq!(out.text, collapse_whitespace(&out.text));
            assert!(!out.text.chars().any(|c| c.is_control() || is_invisible(c)));
            // normalize is idempotent, render sees through it.
            let n1 = normalize(&input);
            assert_eq!(normalize(&n1), n1, "{input:?}");
            assert!(!n1.contains("\n\n\n\n"));
            assert!(!n1
                .chars()
                .any(|c| (c.is_control() && c != '\n' && c != '\t') || is_invisible(c)));
            assert_eq!(render(&n1, &people), out);
            // clean_title: one clean line within the limit.
            let t = clean_title(&input, 30);
            assert!(t.chars().count() <= 30);
            assert!(!t.chars().any(|c| c.is_control() || is_invisible(c)));
            assert_eq!(t, t.trim());
            assert!(!t.contains("  "));
        }
    }
}
