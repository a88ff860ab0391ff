"""
Griffe extension: render agentroute's reST-flavoured docstrings as clean Markdown.

The docstrings in ``src/`` hold bare ``>>>`` examples (run by pytest's
doctest-modules), reST roles such as ``:class:`Router``` and one reST table.
Markdown would turn ``>>>`` into nested block quotes and ``[...]`` output into
broken links, so before mkdocstrings renders a docstring this extension:

- wraps each bare ``>>>`` example (up to the next blank line) in a pycon fence,
- reduces ``:role:`~pkg.Name``` to ```Name``` (and ``:role:`x``` to ```x```),
- wraps reST simple tables (rows of ``===`` rules) in a text fence.

It changes only the rendered docs, never the code or its doctests.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":[a-z]+:`(~?)([^`]+)`")
_RULE = re.compile(r"=+( +=+)+")


def _role(match: re.Match[str]) -> str:
    target = match.group(2)
    if match.group(1):
        target = target.rsplit(".", 1)[-1]
    return f"`{target}`"


def render(text: str) -> str:
    r"""
    Return *text* with bare doctests and reST tables fenced and reST roles reduced.

    >>> render("Pick one.\n\n>>> 1 + 1\n2\n\nSee :class:`~a.B`.").splitlines()
    ['Pick one.', '', '```pycon', '>>> 1 + 1', '2', '```', '', 'See `B`.']
    >>> render("== ==\na  b\n== ==\n\nText.").splitlines()
    ['```text', '== ==', 'a  b', '== ==', '```', '', 'Text.']
    """
    lines = text.split("\n")
    out: list[str] = []
    fence: str | None = None  # the fence this function opened, if any
    in_user_fence = False
    for number, line in enumerate(lines):
        stripped = line.strip()
        if fence == "pycon" and not stripped:
            out.append("```")
            fence = None
        if fence is None and stripped.startswith("```"):
            in_user_fence = not in_user_fence
        elif fence is None and not in_user_fence:
            if line.startswith(">>>"):
                out.append("```pycon")
                fence = "pycon"
            elif _RULE.fullmatch(stripped):
                out.append("```text")
                out.append(line)
                fence = "text"
                continue
            else:
                line = _ROLE.sub(_role, line)  # noqa: PLW2901
        out.append(line)
        # A rule followed by a blank line (or the end) closes a reST table.
        if fence == "text" and _RULE.fullmatch(stripped):
            following = lines[number + 1] if number + 1 < len(lines) else ""
            if not following.strip():
                out.append("```")
                fence = None
    if fence is not None:
        out.append("```")
    return "\n".join(out)


class DocstringsAsMarkdown(griffe.Extension):
    """Rewrite every loaded docstring with :func:`render` before it is parsed."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Rewrite *obj*'s docstring, if it has one."""
        _rewrite(obj)

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        """Rewrite the top-level package's docstring, which ``on_object`` does not see."""
        _rewrite(pkg)


def _rewrite(obj: griffe.Object) -> None:
    # render() is idempotent, so seeing an object twice is harmless.
    if obj.docstring is not None:
        obj.docstring.value = render(obj.docstring.value)
