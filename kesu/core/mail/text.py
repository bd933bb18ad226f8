"""The words of a mail: HTML turned into text, and the customer's new words told from the quoted
history their client appends (kept, but not analysed again as if the customer had said it anew)."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

_BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "hr"}
_SKIP = {"script", "style", "head", "title"}


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.quote_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag == "blockquote":
            self.quote_depth += 1
            self.parts.append("\n")
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "blockquote":
            self.quote_depth = max(0, self.quote_depth - 1)
            self.parts.append("\n")
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.quote_depth:
            # A quoted block reads as quoted text does: each line behind "> ".
            data = "\n".join(f"> {line}" if line.strip() else line for line in data.split("\n"))
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """Readable text of an HTML mail: block elements end lines, scripts and styles are dropped,
    ``<blockquote>`` becomes ``> `` lines (so :func:`split_quoted` finds it)."""
    parser = _TextParser()
    parser.feed(html or "")
    parser.close()
    text = unescape("".join(parser.parts)).replace("\xa0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


#: A line that starts the quoted history, in the forms of the clients Chinese customers use
#: (QQ Mail, 163/126, Foxmail, Outlook, Apple Mail, Gmail) in Chinese and English.
_QUOTE_START = re.compile(
    r"""^\s*(
        -{2,}\s*(原始邮件|原始郵件|Original\s+Message|Forwarded\s+message|转发邮件)\s*-{2,}
      | _{10,}
      | (在|於|于)\s*.{4,80}(写道|寫道)\s*[:：]\s*$
      | On\s.{4,200}wrote:\s*$
      | (发件人|寄件者|From)\s*[:：].+
    )""",
    re.IGNORECASE | re.VERBOSE,
)


def split_quoted(text: str) -> tuple[str, str]:
    """``(new words, quoted history)``: the history starts at the first line a client writes
    before it (``-----原始邮件-----``, ``在 … 写道：``, ``On … wrote:``, a ``发件人:`` header
    block) or is a ``>`` line; when nothing is left besides the history, all of it is the words."""
    lines = (text or "").replace("\r\n", "\n").split("\n")
    new: list[str] = []
    quoted: list[str] = []
    for index, line in enumerate(lines):
        if _QUOTE_START.match(line):
            quoted.extend(lines[index:])
            break
        (quoted if line.lstrip().startswith(">") else new).append(line)
    words, history = "\n".join(new).strip(), "\n".join(quoted).strip()
    if not words:
        return (text or "").strip(), ""
    return words, history
